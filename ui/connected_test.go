package ui

import (
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestConnectedScreenSaysWhichSitesAreOutOfSight connects a practice company of 20 sites, 2
// of which the person granting access can't see: the Connected screen says so, as a warning,
// in the core's words. With every site in sight it says nothing of the kind.
func TestConnectedScreenSaysWhichSitesAreOutOfSight(t *testing.T) {
	testenv.Need(t)
	for _, hidden := range []int{2, 0} {
		errs := make(chan error, 1)
		h := newHarness(t, deps{open: consentOpener(0, true, errs), practice: connections.PracticeConfig{Sites: 20, HiddenSites: hidden}})
		connectPractice(h, errs, "Harbour Burgers Pty Ltd")
		note := "You can see 18 of Harbour Burgers Pty Ltd's 20 sites. Whoever clicked Grant Access can't see the other 2. Reconnect as the owner to include them."
		h.ui(func() {
			switch {
			case hidden > 0 && !h.has(note):
				t.Errorf("the Connected screen does not say %q: %q", note, h.texts())
			case hidden == 0 && strings.Contains(strings.Join(h.texts(), "\n"), "You can see"):
				t.Errorf("with every site in sight the screen still says: %q", h.texts())
			}
		})
	}
}
