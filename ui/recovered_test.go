package ui

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestStartSaysWhatWasRecovered: the state file cut short after a company was connected; the
// window opens on the dashboard with the company (not on the Welcome), and says over it what
// was recovered from the last-good copy and from when.
func TestStartSaysWhatWasRecovered(t *testing.T) {
	testenv.Need(t)
	tv := testenv.NewVault(t)
	opts := connections.Options{Dir: tv.Dir, Service: tv.Service}
	connectThroughCore(t, opts)
	editStateFile(t, tv.Dir, cutShort)
	h := newHarness(t, deps{options: opts})
	h.ui(h.shell.start)
	h.waitText("Your companies were recovered")
	h.waitText("Recovered 1 company from the copy saved on ")
	h.waitText("Harbour Burgers Pty Ltd")
	h.ui(func() {
		if h.has("Connect your Lightspeed company to your integration.") {
			t.Fatalf("the window opened on the Welcome: %q", h.texts())
		}
	})
}

// editStateFile rewrites the state file in dir as edit makes it, and returns what it wrote.
func editStateFile(t *testing.T, dir string, edit func([]byte) []byte) []byte {
	t.Helper()
	path := filepath.Join(dir, "state.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = edit(data)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return data
}

// cutShort is the state file cut to its first 37 bytes.
func cutShort(data []byte) []byte { return data[:37] }
