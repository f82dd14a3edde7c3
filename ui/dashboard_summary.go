package ui

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// summaryBar counts the companies by status, "117 healthy · 3 need reconnecting · 0
// offline", each part a toggle that shows only those companies. Healthy, needs reconnect and
// offline are always there; any other status only while some company has it.
type summaryBar struct {
	d     *dashboard
	box   *fyne.Container
	parts map[connections.Status]*button
}

// alwaysCounted are the parts shown even at zero, in this order; the others follow them.
var alwaysCounted = []connections.Status{connections.StatusHealthy, connections.StatusNeedsReconnect, connections.StatusUnreachable}

func newSummaryBar(d *dashboard) *summaryBar {
	return &summaryBar{d: d, box: container.NewHBox(), parts: map[connections.Status]*button{}}
}

// refresh recounts and redraws the parts, the one whose filter is on highlighted.
func (b *summaryBar) refresh() {
	counts := map[connections.Status]int{}
	var order []connections.Status
	order = append(order, alwaysCounted...)
	for _, cs := range b.d.statuses {
		if b.d.product != "" && statusProduct(cs).ID != b.d.product {
			continue // the product filter is on: the counts are its companies'
		}
		if counts[cs.Status] == 0 && !slices.Contains(order, cs.Status) {
			order = append(order, cs.Status)
		}
		counts[cs.Status]++
	}
	if b.d.filter != "" && !slices.Contains(order, b.d.filter) {
		order = append(order, b.d.filter) // its last company changed status: keep the way out
	}
	objects := make([]fyne.CanvasObject, 0, len(order))
	for _, st := range order {
		button := b.part(st)
		button.SetText(summaryWords(st, counts[st]))
		button.Icon = summaryIcon(st, counts[st])
		button.Importance = widget.MediumImportance
		if b.d.filter == st {
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

// summaryWords is one part of the summary: "117 healthy", "1 needs reconnecting",
// "3 need reconnecting", "0 offline", "2 credentials invalid", "5 not checked",
// "4 handed off".
func summaryWords(st connections.Status, n int) string {
	switch st {
	case connections.StatusNeedsReconnect:
		if n == 1 {
			return "1 needs reconnecting"
		}
		return fmt.Sprintf("%d need reconnecting", n)
	}
	return fmt.Sprintf("%d %s", n, strings.ToLower(connections.StatusLabel(st)))
}

// summaryIcon marks a part that needs attention with the theme's error or warning sign, and
// the healthy part with a tick: the words say the same, the sign catches the eye.
func summaryIcon(st connections.Status, n int) fyne.Resource {
	switch {
	case st == connections.StatusHealthy && n > 0:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case n == 0:
		return nil
	case statusImportance(st) == widget.DangerImportance:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	case statusImportance(st) == widget.WarningImportance:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	}
	return nil
}
