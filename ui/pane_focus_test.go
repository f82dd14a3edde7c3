package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestPaneKeepsTheFocusAcrossARefresh: the pane is shown again at every tick of the clock and
// after every result; a person who tabbed to "Copy access token" or to the fix must still be
// on it afterwards, not on a button that has left the window.
func TestPaneKeepsTheFocusAcrossARefresh(t *testing.T) {
	testenv.Need(t)
	tv := testenv.NewVault(t)
	opts := connections.Options{Dir: tv.Dir, Service: tv.Service}
	server := connectThroughCore(t, opts)
	h := newHarness(t, deps{options: opts})
	h.ui(h.shell.start)
	h.waitText("Copy access token")

	stillFocused := func(what string, shown func(p *detailsPane) []fyne.CanvasObject) {
		t.Helper()
		h.ui(func() {
			p := h.shell.dash.details
			objs := shown(p)
			if len(objs) == 0 {
				t.Fatalf("the pane shows no %s", what)
			}
			h.win.Canvas().Focus(objs[0].(fyne.Focusable))
			p.refresh() // as the clock's tick does
			focused, _ := h.win.Canvas().Focused().(fyne.CanvasObject)
			if focused == nil || !slices.Contains(shown(p), focused) {
				t.Errorf("after a refresh the focus is on a %s that is no longer shown", what)
			}
		})
	}
	stillFocused("Copy access token", func(p *detailsPane) []fyne.CanvasObject { return p.extra.Objects })

	server.Server.RevokeAll()
	h.ui(func() { h.shell.dash.details.check.OnTapped() })
	h.waitFor("the fix to show", func() bool { return h.shell.dash.details.fixOf != nil })
	stillFocused("fix", func(p *detailsPane) []fyne.CanvasObject { return p.fix.Objects })
}
