// The company list's own widgets: the list that shows its focus by a ring and answers the
// dashboard's keys, and the rows' tick boxes that only the pointer uses.

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// keyList is Fyne's List with the dashboard's keys: arrows move the selection, Enter acts,
// Space ticks, Delete asks before disconnecting. The selection is the keyboard's row, so the
// list shows its focus by a ring round itself instead of Fyne's grey mark on a row of its
// own (see FocusGained).
type keyList struct {
	widget.List
	ringFocus
	onKey func(*fyne.KeyEvent) bool
}

func (l *keyList) CreateRenderer() fyne.WidgetRenderer {
	l.ExtendBaseWidget(l)
	return l.ringed(l.List.CreateRenderer(), l)
}

// FocusGained draws the ring. It leaves Fyne's List thinking itself unfocused, so Fyne draws
// no mark of its own on its "current" row: the arrows here move the selection, and Fyne's
// mark, which only its own arrows move, would stay grey on the row where they started.
func (l *keyList) FocusGained() { l.setFocused(true) }

func (l *keyList) FocusLost() { l.setFocused(false) }

func (l *keyList) TypedKey(ev *fyne.KeyEvent) {
	if l.onKey != nil && l.onKey(ev) {
		return
	}
	l.List.TypedKey(ev)
}

// rowTick is a row's tick box, drawn as Fyne's, for the pointer only: it never takes the
// focus, so Tab passes the list as one stop however many rows it shows, and Space on the
// selected row ticks it (companyList.handleKey).
type rowTick struct {
	widget.BaseWidget
	checked   bool
	onChanged func(bool)
	bg, icon  *canvas.Image
	min       fyne.Size
}

func newRowTick() *rowTick {
	t := &rowTick{bg: &canvas.Image{FillMode: canvas.ImageFillContain}, icon: &canvas.Image{FillMode: canvas.ImageFillContain}}
	t.ExtendBaseWidget(t)
	return t
}

func (t *rowTick) setChecked(on bool) {
	if t.checked != on {
		t.checked = on
		t.Refresh()
	}
}

// Tapped ticks or unticks the box.
func (t *rowTick) Tapped(*fyne.PointEvent) {
	t.setChecked(!t.checked)
	if t.onChanged != nil {
		t.onChanged(t.checked)
	}
}

// MinSize is an empty widget.Check's, so the rows' boxes line up with the header's.
func (t *rowTick) MinSize() fyne.Size {
	if t.min.IsZero() {
		t.min = (&widget.Check{}).MinSize()
	}
	return t.min
}

func (t *rowTick) CreateRenderer() fyne.WidgetRenderer {
	t.ExtendBaseWidget(t)
	r := &rowTickRenderer{t: t}
	r.Refresh()
	return r
}

type rowTickRenderer struct{ t *rowTick }

func (r *rowTickRenderer) Layout(size fyne.Size) {
	icon := fyne.NewSquareSize(theme.IconInlineSize())
	pos := fyne.NewPos((size.Width-icon.Width)/2, (size.Height-icon.Height)/2)
	for _, img := range []*canvas.Image{r.t.bg, r.t.icon} {
		img.Move(pos)
		img.Resize(icon)
	}
}

func (r *rowTickRenderer) MinSize() fyne.Size { return r.t.MinSize() }

// Refresh draws the box as widget.Check does: the theme's box, or its ticked box in the
// primary colour.
func (r *rowTickRenderer) Refresh() {
	icon, bg := theme.NewThemedResource(theme.CheckButtonIcon()), theme.NewThemedResource(theme.CheckButtonFillIcon())
	icon.ColorName, bg.ColorName = theme.ColorNameInputBorder, theme.ColorNameInputBackground
	if r.t.checked {
		icon = theme.NewThemedResource(theme.CheckButtonCheckedIcon())
		icon.ColorName, bg.ColorName = theme.ColorNamePrimary, theme.ColorNameBackground
	}
	r.t.icon.Resource, r.t.bg.Resource = icon, bg
	r.t.bg.Refresh()
	r.t.icon.Refresh()
}

func (r *rowTickRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.t.bg, r.t.icon}
}

func (r *rowTickRenderer) Destroy() {}
