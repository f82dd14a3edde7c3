package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// connectThree connects the first three demo companies under strict rotation and returns the
// state file's path.
func connectThree(t *testing.T) (*fixture, string) {
	t.Helper()
	f := newFixture(t, connections.PracticeConfig{RotateRefresh: true, StrictRotation: true})
	for i := range 3 {
		if r := f.connect(t, i, f.secret(), f.settingsFlags()...); r.code != 0 {
			t.Fatalf("connect %d: exit %d\n%s%s", i, r.code, r.stdout, r.stderr)
		}
	}
	return f, filepath.Join(f.opts.Dir, "state.json")
}

// editState decodes the state file into maps, lets edit change it, and writes it back.
func editState(t *testing.T, path string, edit func(top map[string]any, companies []any)) {
	t.Helper()
	var top map[string]any
	if err := json.Unmarshal(readFile(t, path), &top); err != nil {
		t.Fatal(err)
	}
	edit(top, top["companies"].([]any))
	data, err := json.MarshalIndent(top, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestFieldsFromANewerVersionSurviveRefreshAndCheck: a field named x_newer_field added at the
// top of the state and in each company (as a newer version would) is still there, the same,
// after `refresh` and `status --check` have rewritten the state.
func TestFieldsFromANewerVersionSurviveRefreshAndCheck(t *testing.T) {
	f, path := connectThree(t)
	editState(t, path, func(top map[string]any, companies []any) {
		top["x_newer_field"] = map[string]any{"from": "a newer version", "n": []any{1.0, 2.0}}
		for i, c := range companies {
			c.(map[string]any)["x_newer_field"] = map[string]any{"company": float64(i)}
		}
	})
	tokens := f.practice.Server.Stats().TokenRequests
	for _, args := range [][]string{{"refresh"}, {"status", "--check"}} {
		if r := f.run(t, "", args...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		var top map[string]any
		if err := json.Unmarshal(readFile(t, path), &top); err != nil {
			t.Fatal(err)
		}
		if got, _ := json.Marshal(top["x_newer_field"]); string(got) != `{"from":"a newer version","n":[1,2]}` {
			t.Errorf("after %v the top-level field is %s", args, got)
		}
		for i, c := range top["companies"].([]any) {
			want := `{"company":` + string(rune('0'+i)) + `}`
			if got, _ := json.Marshal(c.(map[string]any)["x_newer_field"]); string(got) != want {
				t.Errorf("after %v company %d's field is %s, want %s", args, i, got, want)
			}
		}
	}
	if f.practice.Server.Stats().TokenRequests < tokens+3 {
		t.Fatal("refresh did not refresh every company, so it did not rewrite the state after each")
	}
}

// TestAStateCutShortCostsNoReconnect: the state file cut to its first 37 bytes. `status
// --check` lists every company, healthy, and exits 0, without a consent; it says in one
// sentence what was recovered and from when, and the cut file is kept aside.
func TestAStateCutShortCostsNoReconnect(t *testing.T) {
	f, path := connectThree(t)
	if r := f.run(t, "", "refresh"); r.code != 0 { // rotates every refresh token: the copy must not go stale
		t.Fatalf("refresh: exit %d\n%s", r.code, r.stderr)
	}
	good := readFile(t, path)
	if err := os.WriteFile(path, good[:37], 0o600); err != nil {
		t.Fatal(err)
	}
	consents := f.practice.Server.Stats().AuthorizeRequests

	r := f.run(t, "", "status", "--check")
	if r.code != 0 {
		t.Fatalf("status --check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, c := range f.practice.Server.Companies()[:3] {
		if !regexp.MustCompile(regexp.QuoteMeta(c.Name) + `\s+\d+\s+Healthy\s`).MatchString(r.stdout) {
			t.Errorf("%s is not listed as healthy:\n%s", c.Name, r.stdout)
		}
	}
	aside, _ := filepath.Glob(path + ".corrupt-*")
	if len(aside) != 1 || string(readFile(t, aside[0])) != string(good[:37]) {
		t.Fatalf("the cut file must be kept aside: %v", aside)
	}
	want := regexp.MustCompile(`^Recovered 3 companies from the copy saved on \d{1,2} [A-Z][a-z]{2} \d{4} at \d{2}:\d{2}; the damaged file was kept as ` +
		regexp.QuoteMeta(aside[0]) + `\.\n$`)
	if !want.MatchString(r.stderr) {
		t.Errorf("stderr must be the one sentence of what was recovered, got:\n%s", r.stderr)
	}
	if n := f.practice.Server.Stats().AuthorizeRequests; n != consents {
		t.Errorf("%d consent requests during the recovery", n-consents)
	}
	if r := f.run(t, "", "status"); r.code != 0 || r.stderr != "" || strings.Count(r.stdout, "Healthy") != 3 {
		t.Fatalf("the next status must find the rebuilt state in place: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	f.assertNoSecretPrinted(t)
}

// TestOnlyWhatTheKeychainLostAsksForAReconnect: the state cut short after the keychain lost one
// company's connection. `status` lists all three from the copy; only that one needs a
// reconnect, named in the sentence and in the table with the command that fixes it, and
// `status --check` agrees.
func TestOnlyWhatTheKeychainLostAsksForAReconnect(t *testing.T) {
	f, path := connectThree(t)
	lost := f.practice.Server.Companies()[1]
	for _, item := range []string{"refresh", "access"} {
		if err := f.keyring.Delete(f.opts.Service, "company:"+strconv.FormatInt(lost.ID, 10)+":"+item); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, readFile(t, path)[:37], 0o600); err != nil {
		t.Fatal(err)
	}
	r := f.run(t, "", "status")
	named := lost.Name + " (" + strconv.FormatInt(lost.ID, 10) + ") needs reconnecting"
	if r.code != 1 || !strings.Contains(r.stderr, "Recovered 3 companies from the copy saved on ") || !strings.Contains(r.stderr, named) {
		t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	fix := "Fix: lightspeed-connect connect --company " + strconv.FormatInt(lost.ID, 10)
	for _, c := range []struct {
		args    []string
		healthy int // never checked before: healthy only once checked
	}{{[]string{"status"}, 0}, {[]string{"status", "--check"}, 2}} {
		r := f.run(t, "", c.args...)
		if r.code != 1 || strings.Count(r.stdout, "Needs reconnect") != 1 || strings.Count(r.stdout, "Healthy") != c.healthy || !strings.Contains(r.stdout, fix) {
			t.Errorf("%v: exit %d\n%s%s", c.args, r.code, r.stdout, r.stderr)
		}
	}
}
