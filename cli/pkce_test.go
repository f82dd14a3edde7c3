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

// TestRequestsPerMinuteIsASavedSetting: connect --requests-per-minute saves the pace with the
// integration; 0 goes back to the default; a pace out of range is a usage error that changes
// nothing.
func TestRequestsPerMinuteIsASavedSetting(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	if r := f.connect(t, 0, f.secret(), append(f.settingsFlags(), "--requests-per-minute", "50")...); r.code != 0 {
		t.Fatalf("connect: exit %d\n%s", r.code, r.stderr)
	}
	state := func() string {
		data, err := os.ReadFile(filepath.Join(f.opts.Dir, "state.json"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if !strings.Contains(state(), `"requests_per_minute": 50`) {
		t.Fatalf("the pace is not saved:\n%s", state())
	}
	r := f.connect(t, 0, "", "--company", "31001", "--requests-per-minute", "5000")
	if r.code != 2 || !strings.Contains(r.stderr, "between 1 and 1000 requests a minute") {
		t.Fatalf("a pace of 5000: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(state(), `"requests_per_minute": 50`) {
		t.Fatalf("a refused pace changed the saved one:\n%s", state())
	}
	if r := f.connect(t, 0, "", "--company", "31001", "--requests-per-minute", "0"); r.code != 0 {
		t.Fatalf("connect with the default pace: exit %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(state(), "requests_per_minute") {
		t.Fatalf("--requests-per-minute 0 did not go back to the default:\n%s", state())
	}
}
