package ui

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// visibleFocus is the least change, in one colour channel of one pixel, that a person sees as
// the focus arriving on a button. Fyne 2.7 shows a focused button only by blending its focus
// colour (the primary colour, mostly transparent) over the button's own: on a grey button that
// is a change of 34-56, which shows, but on the primary button (Next, Save, Grant Access,
// Connect another company) it is blue over blue, a change of about 8, which nobody sees.
const visibleFocus = 32

// TestTheFocusIsVisibleOnEveryButton: a button the keyboard reaches is drawn differently
// enough to be seen, whatever its importance, in the dark and the light theme.
func TestTheFocusIsVisibleOnEveryButton(t *testing.T) {
	test.NewTempApp(t)
	for _, variant := range []struct {
		name string
		th   fyne.Theme
	}{{"dark", theme.DarkTheme()}, {"light", theme.LightTheme()}} { //nolint:staticcheck // the two variants, side by side
		for _, imp := range []struct {
			name string
			imp  widget.Importance
		}{{"primary", widget.HighImportance}, {"plain", widget.MediumImportance}, {"low", widget.LowImportance},
			{"danger", widget.DangerImportance}} {
			t.Run(variant.name+"/"+imp.name, func(t *testing.T) {
				fyne.CurrentApp().Settings().SetTheme(variant.th)
				b := newButton("Connect another company", nil, func() {})
				b.Importance = imp.imp
				w := test.NewWindow(container.NewCenter(b))
				defer w.Close()
				w.Resize(fyne.NewSize(400, 120))
				before := w.Canvas().Capture()
				w.Canvas().Focus(b)
				after := w.Canvas().Capture()
				w.Canvas().Unfocus()
				if d := largestChange(before, after); d < visibleFocus {
					t.Errorf("the focused %s button differs from its unfocused self by at most %d in one colour channel; a person sees %d or more", imp.name, d, visibleFocus)
				}
				if d := largestChange(before, w.Canvas().Capture()); d != 0 {
					t.Errorf("the %s button still looks focused after the focus left it (a change of %d)", imp.name, d)
				}
			})
		}
	}
}

// largestChange is the largest difference in one colour channel between two pictures of the
// same size.
func largestChange(a, b image.Image) int {
	largest := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			for _, d := range []int{int(r1>>8) - int(r2>>8), int(g1>>8) - int(g2>>8), int(b1>>8) - int(b2>>8)} {
				largest = max(largest, d, -d)
			}
		}
	}
	return largest
}

// TestTheFocusIsVisibleOnTheCompanyList: Tab into the dashboard's list (its first stop) shows
// that the list has the focus. Fyne marks a focused list only by a highlight on its current
// row, under the selection's colour, so with the selected row current nothing changed.
func TestTheFocusIsVisibleOnTheCompanyList(t *testing.T) {
	test.NewTempApp(t)
	for _, th := range []fyne.Theme{theme.DarkTheme(), theme.LightTheme()} { //nolint:staticcheck // the two variants, side by side
		fyne.CurrentApp().Settings().SetTheme(th)
		l := &keyList{}
		l.Length = func() int { return 3 }
		l.CreateItem = func() fyne.CanvasObject { return widget.NewLabel("Harbour Burgers Pty Ltd") }
		l.UpdateItem = func(widget.ListItemID, fyne.CanvasObject) {}
		l.ExtendBaseWidget(l)
		w := test.NewWindow(l)
		w.Resize(fyne.NewSize(400, 200))
		l.Select(0)
		before := w.Canvas().Capture()
		w.Canvas().Focus(l)
		if d := largestChange(before, w.Canvas().Capture()); d < visibleFocus {
			t.Errorf("the focused list differs from its unfocused self by at most %d in one colour channel; a person sees %d or more", d, visibleFocus)
		}
		w.Canvas().Unfocus()
		if d := largestChange(before, w.Canvas().Capture()); d != 0 {
			t.Errorf("the list still looks focused after the focus left it (a change of %d)", d)
		}
		w.Close()
	}
}
