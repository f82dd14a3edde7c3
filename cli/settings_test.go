package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// TestEveryAdvancedSettingHasItsFlagAndStatus goes through the core's list of advanced
// settings: each one has its flag with the core's sentences in `connect -h`, a line under
// the `status` table, and its key in `status --json`, so a setting added to the list shows
// on the command line without being written here.
func TestEveryAdvancedSettingHasItsFlagAndStatus(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	help := f.run(t, "", "connect", "-h").stderr
	if r := f.connect(t, 0, f.secret(), f.settingsFlags()...); r.code != 0 {
		t.Fatalf("connect: exit %d\n%s", r.code, r.stderr)
	}
	table := f.run(t, "", "status").stdout
	companies := statusJSON(t, f)
	for _, st := range connections.AdvancedSettings() {
		flag := "-" + flagName(st)
		if !strings.Contains(help, "  "+flag+"\n") && !strings.Contains(help, "  "+flag+" ") {
			t.Errorf("connect -h has no %s flag:\n%s", flag, help)
		}
		if !strings.Contains(help, st.When) {
			t.Errorf("connect -h does not say when to change %s (%q)", st.Label, st.When)
		}
		if want := st.Label + ": " + st.Text(st.Default); !strings.Contains(table, want) {
			t.Errorf("status does not say %q:\n%s", want, table)
		}
		if _, ok := companies[0].Settings[st.Key]; !ok {
			t.Errorf("status --json has no settings.%s: %v", st.Key, companies[0].Settings)
		}
	}
}

// TestRequestsPerMinuteShowsInStatus: connect --requests-per-minute 60 saves the pace, and
// both `status` and `status --json` show it for the company; --no-pkce shows PKCE off.
func TestRequestsPerMinuteShowsInStatus(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	args := append(f.settingsFlags(), "--requests-per-minute", "60", "--no-pkce")
	if r := f.connect(t, 0, f.secret(), args...); r.code != 0 {
		t.Fatalf("connect: exit %d\n%s", r.code, r.stderr)
	}
	got := statusJSON(t, f)[0].Settings
	if got["requests_per_minute"] != float64(60) || got["pkce"] != false {
		t.Fatalf("status --json shows settings %v, want a pace of 60 and PKCE off", got)
	}
	table := f.run(t, "", "status").stdout
	if !strings.Contains(table, "API pace: 60 requests a minute · PKCE: off") {
		t.Fatalf("status does not show the pace and PKCE:\n%s", table)
	}
}

// statusJSON runs `status --json` and decodes it.
func statusJSON(t *testing.T, f *fixture) []struct {
	Settings map[string]any `json:"settings"`
} {
	t.Helper()
	r := f.run(t, "", "status", "--json")
	var out []struct {
		Settings map[string]any `json:"settings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out) == 0 {
		t.Fatalf("status --json: %v, exit %d\n%s%s", err, r.code, r.stdout, r.stderr)
	}
	return out
}
