package cli

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// TestNoPKCEIsASavedSetting: --no-pkce leaves the code challenge out of the consent address,
// is saved for the next connect, and --no-pkce=false puts it back. Each connect succeeds
// against the practice server, which enforces PKCE whenever a challenge was sent.
func TestNoPKCEIsASavedSetting(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	challenge := func(r result) string {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("connect: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		u, err := url.Parse(strings.SplitN(r.stdout, "\n", 2)[0])
		if err != nil {
			t.Fatal(err)
		}
		return u.Query().Get("code_challenge")
	}
	if challenge(f.connect(t, 0, f.secret(), f.settingsFlags()...)) == "" {
		t.Fatal("PKCE is not sent by default")
	}
	if c := challenge(f.connect(t, 0, "", "--company", "31001", "--no-pkce")); c != "" {
		t.Fatalf("--no-pkce sent a code challenge %q", c)
	}
	state, err := os.ReadFile(filepath.Join(f.opts.Dir, "state.json"))
	if err != nil || !strings.Contains(string(state), `"no_pkce": true`) {
		t.Fatalf("the setting is not saved in the state: %v\n%s", err, state)
	}
	if c := challenge(f.connect(t, 0, "", "--company", "31001")); c != "" {
		t.Fatal("the saved --no-pkce was not used by the next connect")
	}
	if challenge(f.connect(t, 0, "", "--company", "31001", "--no-pkce=false")) == "" {
		t.Fatal("--no-pkce=false did not turn PKCE back on")
	}
	f.assertNoSecretPrinted(t)
}
