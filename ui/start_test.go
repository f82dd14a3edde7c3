package ui

import (
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestStartOpensOnTheDashboardWhenConnected opens the window over a vault with a company
// connected (through the core, as the command line would) and over an empty one: the first
// opens on the dashboard with that company, the second on the Welcome.
func TestStartOpensOnTheDashboardWhenConnected(t *testing.T) {
	testenv.Need(t)
	const welcome = "Connect your Lightspeed company to your integration."
	cases := []struct {
		name      string
		connected bool
		want      []string
		notWant   string
	}{
		{"a company connected", true, []string{"Check all", "Harbour Burgers Pty Ltd"}, welcome},
		{"nothing connected", false, []string{welcome, "Practice with a demo company"}, "Check all"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tv := testenv.NewVault(t)
			opts := connections.Options{Dir: tv.Dir, Service: tv.Service}
			if tc.connected {
				connectThroughCore(t, opts)
			}
			h := newHarness(t, deps{options: opts})
			h.ui(h.shell.start)
			for _, want := range tc.want {
				h.waitText(want)
			}
			h.ui(func() {
				if h.has(tc.notWant) {
					t.Fatalf("the window also shows %q: %q", tc.notWant, h.texts())
				}
			})
		})
	}
}

// connectThroughCore connects the first demo company of a practice server (kept running for
// the test) into the vault at opts, and returns the server.
func connectThroughCore(t *testing.T, opts connections.Options) *connections.Practice {
	t.Helper()
	return connectStrict(t, opts, connections.PracticeConfig{})
}
