package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// summaryBar counts the companies by status, "117 healthy · 3 need reconnecting · 0
// offline", each part a toggle that shows only those companies. The parts and their words are
// the core's (connections.Summary.Parts).
type summaryBar struct {
	d     *dashboard
	box   *fyne.Container
	parts map[connections.Status]*button
}

func newSummaryBar(d *dashboard) *summaryBar {
	return &summaryBar{d: d, box: container.NewHBox(), parts: map[connections.Status]*button{}}
}

// refresh recounts and redraws the parts (connections.Summary.Parts), the one whose filter is
// on highlighted.
func (b *summaryBar) refresh() {
	statuses := b.d.statuses
	if b.d.product != "" { // the product filter is on: the counts are its companies'
		statuses = slices.DeleteFunc(slices.Clone(statuses), func(cs connections.CompanyStatus) bool { return statusProduct(cs).ID != b.d.product })
	}
	parts := connections.Summarise(statuses).Parts()
	if f := b.d.filter; f != "" && !slices.ContainsFunc(parts, func(p connections.Part) bool { return p.Status == f }) {
		// its last company changed status: keep the way out
		parts = append(parts, connections.Part{Status: f, Words: connections.CountWords(f, 0)})
	}
	objects := make([]fyne.CanvasObject, 0, len(parts))
	for _, p := range parts {
		button := b.part(p.Status)
		button.SetText(p.Words)
		button.Icon = summaryIcon(p.Status, p.Count)
		button.Importance = widget.MediumImportance
		if b.d.filter == p.Status {
			button.Importance = widget.HighImportance
		}
		button.Refresh()
		objects = append(objects, button)
	}
	b.box.Objects = objects
	b.box.Refresh()
}

// part is the toggle for a status, made once.
func (b *summaryBar) part(st connections.Status) *button {
	if button, ok := b.parts[st]; ok {
		return button
	}
	button := keyButton(&widget.Button{OnTapped: func() { b.onPartTapped(st) }})
	b.parts[st] = button
	return button
}

// onPartTapped turns a part's filter on, or off when it was on.
func (b *summaryBar) onPartTapped(st connections.Status) {
	if b.d.filter == st {
		b.d.setFilter("")
		return
	}
	b.d.setFilter(st)
}

// summaryIcon marks a part that needs attention with the theme's error or warning sign, and
// the healthy part with a tick: the words say the same, the sign catches the eye.
func summaryIcon(st connections.Status, n int) fyne.Resource {
	switch {
	case st == connections.StatusHealthy && n > 0:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case n == 0:
		return nil
	case urgencyImportance(st) == widget.DangerImportance:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	case urgencyImportance(st) == widget.WarningImportance:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	}
	return nil
}
