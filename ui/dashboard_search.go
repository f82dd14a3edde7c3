package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// searchEntry is the dashboard's search box: it filters the list by name, ID or site name as
// the person types. Down or Enter moves to the list, Escape clears it.
type searchEntry struct {
	widget.Entry
	d *dashboard
}

// searchMinWidth keeps the box wide enough for a company's name when the summary is long.
const searchMinWidth = 160

func newSearchEntry(d *dashboard) *searchEntry {
	e := &searchEntry{d: d}
	e.PlaceHolder = "Search name, ID or site"
	e.ExtendBaseWidget(e)
	e.OnChanged = d.setQuery
	e.OnSubmitted = func(string) { e.toList() }
	return e
}

// MinSize is at least searchMinWidth wide; the top bar gives it what the summary leaves.
func (e *searchEntry) MinSize() fyne.Size {
	m := e.Entry.MinSize()
	return fyne.NewSize(max(m.Width, searchMinWidth), m.Height)
}

// sized is the box for the top bar.
func (e *searchEntry) sized() fyne.CanvasObject { return e }

func (e *searchEntry) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyDown:
		e.toList()
	case fyne.KeyEscape:
		e.SetText("")
	default:
		e.Entry.TypedKey(ev)
	}
}

// toList puts the keyboard on the list, on its first company unless the selected one shows.
func (e *searchEntry) toList() {
	d := e.d
	if d.shownIndex(d.selected) < 0 {
		d.list.move(0)
	}
	d.shell.win.Canvas().Focus(d.list.list)
}
