package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// apiAccepts reports whether the practice API answers companies/me.json for token.
func (f *fixture) apiAccepts(t *testing.T, token string) bool {
	t.Helper()
	return testenv.APIAnswers(t, strings.TrimSuffix(f.practice.Settings.APIURL, "/")+"/companies/me.json", token)
}

// connectFirst connects the first demo company with the settings flags.
func (f *fixture) connectFirst(t *testing.T) {
	t.Helper()
	if r := f.connect(t, 0, f.secret(), f.settingsFlags()...); r.code != 0 {
		t.Fatalf("connect: exit %d\n%s", r.code, r.stderr)
	}
}

func TestTokenPrintsAWorkingAccessTokenAlone(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{RotateRefresh: true, StrictRotation: true})
	if r := f.run(t, "", "token"); r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "Nothing is connected yet") ||
		!strings.Contains(r.stderr, "Fix: lightspeed-connect connect") {
		t.Fatalf("token with nothing connected: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	f.connectFirst(t)

	r := f.run(t, "", "token")
	lines := strings.Split(r.stdout, "\n")
	if r.code != 0 || len(lines) != 2 || lines[1] != "" || lines[0] == "" || r.stderr != "" {
		t.Fatalf("token: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	first := lines[0]
	if !f.apiAccepts(t, first) {
		t.Fatal("the API refused the printed token")
	}
	tokenRequests := f.practice.Server.Stats().TokenRequests
	if r := f.run(t, "", "token", "--company", "31001"); r.stdout != first+"\n" || f.practice.Server.Stats().TokenRequests != tokenRequests {
		t.Fatalf("a token valid for an hour was not printed as it is: %d token requests", f.practice.Server.Stats().TokenRequests-tokenRequests)
	}

	// Asking for longer than the token has left refreshes first, rotation-safely.
	r = f.run(t, "", "token", "--min-valid", "2h")
	if r.code != 0 || strings.TrimSuffix(r.stdout, "\n") == first || !f.apiAccepts(t, strings.TrimSuffix(r.stdout, "\n")) {
		t.Fatalf("token --min-valid 2h: exit %d, stderr %q", r.code, r.stderr)
	}
	if f.practice.Server.Stats().TokenRequests != tokenRequests+1 {
		t.Fatalf("token --min-valid 2h sent %d token requests", f.practice.Server.Stats().TokenRequests-tokenRequests)
	}
	if r := f.run(t, "", "status", "--check"); r.code != 0 || f.practice.Server.Stats().ReuseDetected != 0 {
		t.Fatalf("after token refreshed: exit %d, reuses %d\n%s", r.code, f.practice.Server.Stats().ReuseDetected, r.stdout)
	}

	// Two companies: which one must be said.
	if r := f.connect(t, 1, ""); r.code != 0 {
		t.Fatalf("second connect: %s", r.stderr)
	}
	r = f.run(t, "", "token")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "Harbour Burgers Pty Ltd (31001), Bondi Bean Co. (31002)") || !strings.Contains(r.stderr, "--company") {
		t.Fatalf("token with two companies: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := f.run(t, "", "token", "--company", "31002"); r.code != 0 || !f.apiAccepts(t, strings.TrimSuffix(r.stdout, "\n")) {
		t.Fatalf("token --company 31002: exit %d %q", r.code, r.stderr)
	}
	for _, args := range [][]string{{"token", "--company", "31009"}} {
		if r := f.run(t, "", args...); r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "No company with ID 31009") {
			t.Errorf("%v: exit %d, %q", args, r.code, r.stderr)
		}
	}
	for _, args := range [][]string{{"token", "--min-valid", "-5m"}, {"token", "--min-valid", "soon"}, {"token", "--company", "1,2"}, {"token", "extra"}} {
		if r := f.run(t, "", args...); r.code != 2 || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
}

// With rotating refresh tokens, export hands the company off: it says so before writing,
// then token serves the access token only while it lasts, status shows the hand-off, and
// --keep-ownership keeps the app refreshing with a warning.
func TestExportHandsOffAndTokenRespectsIt(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{RotateRefresh: true, StrictRotation: true})
	f.connectFirst(t)
	if r := f.connect(t, 1, ""); r.code != 0 {
		t.Fatalf("second connect: %s", r.stderr)
	}
	if r := f.run(t, "", "refresh"); r.code != 0 {
		t.Fatalf("refresh: %s", r.stdout)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "harbour.json")
	r := f.run(t, "", "export", "--out", out, "--company", "31001", "--include-client-secret")
	if r.code != 0 || !strings.Contains(r.stderr, "from now on the integration refreshes Harbour Burgers Pty Ltd and this app stops; reconnect here to take it back.") {
		t.Fatalf("export: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}

	r = f.run(t, "", "status")
	note := "Handed off on " + time.Now().Format("2 Jan 2006") + " to " + out + "; reconnect here to take it back."
	if r.code != 0 || !strings.Contains(r.stdout, "Handed off") || !strings.Contains(r.stdout, note) {
		t.Fatalf("status after the hand-off: exit %d\n%s", r.code, r.stdout)
	}

	tokenRequests := f.practice.Server.Stats().TokenRequests
	if r := f.run(t, "", "token", "--company", "31001"); r.code != 0 || !f.apiAccepts(t, strings.TrimSuffix(r.stdout, "\n")) {
		t.Fatalf("token while the handed-off access token works: exit %d %q", r.code, r.stderr)
	}
	r = f.run(t, "", "token", "--company", "31001", "--min-valid", "2h")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "handed off to the integration") ||
		!strings.Contains(r.stderr, "Fix: lightspeed-connect connect --company 31001") {
		t.Fatalf("token beyond the handed-off token's life: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := f.run(t, "", "exec", "--company", "31001", "--min-valid", "2h", "--", "true"); r.code != 1 || !strings.Contains(r.stderr, "handed off") {
		t.Fatalf("exec beyond the handed-off token's life: exit %d, %q", r.code, r.stderr)
	}
	if f.practice.Server.Stats().TokenRequests != tokenRequests {
		t.Fatal("the app refreshed a handed-off company")
	}
	// The integration's copy of the refresh token still works.
	if err := testenv.RefreshWorks(context.Background(), f.practice.Settings.TokenURL, f.practice.Settings.ClientID,
		f.practice.Settings.ClientSecret, testenv.ExportedRefreshToken(t, out)); err != nil {
		t.Fatal(err)
	}

	// --keep-ownership: a warning, no mark, and the app goes on refreshing.
	other := filepath.Join(dir, "bondi.json")
	r = f.run(t, "", "export", "--out", other, "--company", "31002", "--keep-ownership")
	if r.code != 0 || !strings.Contains(r.stderr, "This app will keep refreshing Bondi Bean Co. too") {
		t.Fatalf("export --keep-ownership: exit %d\n%s", r.code, r.stderr)
	}
	if r := f.run(t, "", "refresh", "--company", "31002"); r.code != 0 {
		t.Fatalf("refresh after --keep-ownership: %s", r.stdout)
	}
	if r := f.run(t, "", "refresh", "--company", "31001"); r.code != 1 || !strings.Contains(r.stdout, "handed off") {
		t.Fatalf("refresh of the handed-off company: exit %d\n%s", r.code, r.stdout)
	}

	// Reconnecting takes it back.
	if r := f.connect(t, 0, "", "--company", "31001"); r.code != 0 {
		t.Fatalf("reconnect: %s", r.stderr)
	}
	if r := f.run(t, "", "status"); strings.Contains(r.stdout, "Handed off") {
		t.Fatalf("still handed off after reconnecting:\n%s", r.stdout)
	}
	if r := f.run(t, "", "token", "--company", "31001", "--min-valid", "2h"); r.code != 0 {
		t.Fatalf("token after reconnecting: exit %d %q", r.code, r.stderr)
	}
	f.assertNoSecretPrinted(t)
}
