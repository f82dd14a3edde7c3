package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// newerVersionsState connects three companies, then marks the state file as a newer major
// schema's (as a newer version would write it) and returns its bytes.
func newerVersionsState(t *testing.T) (*fixture, string, []byte) {
	t.Helper()
	f, path := connectThree(t)
	editState(t, path, func(top map[string]any, _ []any) { top["schema"] = 3.0 })
	return f, path, readFile(t, path)
}

// TestStatusShowsANewerVersionsState: `status` and `status --json` list every company of a
// state a newer version wrote, say in one sentence on stderr that this version shows it but
// changes nothing, and exit 1 (a script must not take it for a passing check). `status
// --check` checks nothing. The file stays byte for byte as it was.
func TestStatusShowsANewerVersionsState(t *testing.T) {
	f, path, before := newerVersionsState(t)
	stats := f.practice.Server.Stats()

	r := f.run(t, "", "status")
	if r.code != ExitAttention {
		t.Errorf("status: exit %d, want %d\n%s%s", r.code, ExitAttention, r.stdout, r.stderr)
	}
	sentence := readOnlyLine(t, r.stderr)
	for _, co := range f.practice.Server.Companies()[:3] {
		if !strings.Contains(r.stdout, co.Name) {
			t.Errorf("status does not list %s:\n%s", co.Name, r.stdout)
		}
	}

	r = f.run(t, "", "status", "--json")
	if r.code != ExitAttention {
		t.Errorf("status --json: exit %d, want %d\n%s", r.code, ExitAttention, r.stderr)
	}
	var list []connections.CompanyStatus
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 3 {
		t.Fatalf("status --json printed %d companies (%v):\n%s", len(list), err, r.stdout)
	}
	if strings.TrimSpace(r.stderr) != sentence {
		t.Errorf("status --json's stderr is %q, want only %q", r.stderr, sentence)
	}

	r = f.run(t, "", "status", "--check")
	if r.code != ExitAttention || !strings.Contains(r.stderr, sentence) || !strings.Contains(r.stdout, list[0].Name) {
		t.Errorf("status --check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := f.practice.Server.Stats(); got.TokenRequests != stats.TokenRequests || got.APIRequests != stats.APIRequests {
		t.Errorf("status asked Lightspeed: %+v, before %+v", got, stats)
	}
	if after := readFile(t, path); !bytes.Equal(after, before) {
		t.Errorf("status changed the newer version's state:\n%s", after)
	}
}

// TestEveryChangeRefusesANewerVersionsState: every command that would change the state, the
// keychain or a company's tokens at Lightspeed refuses with the same sentence as `status`,
// before it sends anything or writes to the keychain; the state file stays byte for byte as
// the newer version wrote it.
func TestEveryChangeRefusesANewerVersionsState(t *testing.T) {
	f, path, before := newerVersionsState(t)
	sentence := readOnlyLine(t, f.run(t, "", "status").stderr)
	var list []connections.CompanyStatus
	if err := json.Unmarshal([]byte(f.run(t, "", "status", "--json").stdout), &list); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(list[0].ID, 10)
	out := filepath.Join(t.TempDir(), "tokens.json")
	stats := f.practice.Server.Stats()
	calls := len(f.keyring.Calls())

	for _, args := range [][]string{
		{"refresh"},
		{"refresh", "--company", id},
		{"disconnect", "--company", id},
		{"disconnect", "--all", "--yes"},
		{"export", "--out", out},
		{"export", "--out", out, "--keep-ownership"},
		{"token", "--company", id},
	} {
		r := f.run(t, "", args...)
		if r.code == 0 || !strings.Contains(r.stderr, sentence) {
			t.Errorf("%v: exit %d, want a refusal saying %q\n%s%s", args, r.code, sentence, r.stdout, r.stderr)
		}
	}
	for _, args := range [][]string{nil, {"--company", id}, f.settingsFlags()} { // connect, reconnect, and save new settings
		r := f.connect(t, 1, f.secret(), args...)
		if r.code == 0 || !strings.Contains(r.stderr, sentence) {
			t.Errorf("connect %v: exit %d, want a refusal saying %q\n%s%s", args, r.code, sentence, r.stdout, r.stderr)
		}
	}

	if got := f.practice.Server.Stats(); got != stats {
		t.Errorf("a refused command reached Lightspeed: %+v, before %+v", got, stats)
	}
	for _, call := range f.keyring.Calls()[calls:] {
		if !strings.HasPrefix(call, "get ") {
			t.Errorf("a refused command changed the keychain: %s", call)
		}
	}
	if after := readFile(t, path); !bytes.Equal(after, before) {
		t.Errorf("a refused command changed the newer version's state:\n%s", after)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused export wrote its file")
	}
	if r := f.run(t, "", "status", "--json"); !slices.EqualFunc(statusIDs(t, r.stdout), []int64{list[0].ID, list[1].ID, list[2].ID}, func(a, b int64) bool { return a == b }) {
		t.Errorf("the companies changed:\n%s", r.stdout)
	}
}

// readOnlyLine is the sentence status says about a newer version's state: one line naming it.
func readOnlyLine(t *testing.T, stderr string) string {
	t.Helper()
	line := strings.TrimSpace(stderr)
	if strings.Contains(line, "\n") || !strings.Contains(line, "newer version of Lightspeed Connect") || !strings.Contains(line, "Update the app") {
		t.Fatalf("status's stderr is not one sentence about the newer version: %q", stderr)
	}
	return line
}

func statusIDs(t *testing.T, stdout string) []int64 {
	t.Helper()
	var list []connections.CompanyStatus
	if err := json.Unmarshal([]byte(stdout), &list); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(list))
	for i, s := range list {
		ids[i] = s.ID
	}
	return ids
}
