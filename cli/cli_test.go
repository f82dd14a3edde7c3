package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// fixture runs the command line against an in-process practice server and the real keyring
// of scripts/test-env (its own service name and state directory per test).
type fixture struct {
	opts     connections.Options
	keyring  *testenv.Keyring // the real keyring, failures switched on by the test
	practice *connections.Practice
	seen     []string // everything the commands printed, for the secrets scan
	// beforeCallback, when set, runs after the consent is granted and before the browser
	// reaches the command's listener (to break something at the worst moment).
	beforeCallback func()
	// browse, when set, plays the browser on the consent address instead of the practice
	// server's consent page (a model's, internal/testenv/models).
	browse func(ctx context.Context, authURL string) error
}

func newFixture(t *testing.T, cfg connections.PracticeConfig) *fixture {
	t.Helper()
	tv := testenv.NewVault(t)
	p, err := connections.StartPractice(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return &fixture{opts: connections.Options{Dir: tv.Dir, Service: tv.Service, Keyring: tv.Keyring}, keyring: tv.Keyring, practice: p}
}

// result is what one command did.
type result struct {
	stdout, stderr string
	code           int
}

// run runs one command with stdin and returns its output and exit code.
func (f *fixture) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := f.env(strings.NewReader(stdin), &stdout, &stderr)
	code := Run(context.Background(), env, args)
	r := result{stdout: stdout.String(), stderr: stderr.String(), code: code}
	f.seen = append(f.seen, r.stderr)
	if args[0] != "token" && args[0] != "exec" { // they hand the access token over on stdout
		f.seen = append(f.seen, r.stdout)
	}
	return r
}

func (f *fixture) env(stdin io.Reader, stdout, stderr io.Writer) *Env {
	return &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Options: f.opts,
		Info:    appinfo.Info{Name: "Lightspeed Connect", Version: "test"},
		OpenURL: func(string) error { return fmt.Errorf("no browser in tests") }}
}

// settingsFlags are the connect flags that point at the practice server.
func (f *fixture) settingsFlags() []string {
	s := f.practice.Settings
	return []string{"--client-id", s.ClientID, "--client-secret-stdin", "--redirect-uri", s.RedirectURI,
		"--authorize-url", s.AuthorizeURL, "--token-url", s.TokenURL, "--api-url", s.APIURL}
}

// connect runs `connect --no-browser` and plays the browser: it reads the consent address
// from stdout's first line, submits the practice consent form for companyIndex and follows
// the redirect back to the command's listener.
func (f *fixture) connect(t *testing.T, companyIndex int, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	env := f.env(strings.NewReader(stdin), outW, &stderr)
	codes := make(chan int, 1)
	go func() {
		codes <- Run(ctx, env, append([]string{"connect", "--no-browser"}, args...))
		_ = outW.Close()
	}()
	lines := bufio.NewScanner(outR)
	var stdout strings.Builder
	browserErr := make(chan error, 1)
	if lines.Scan() {
		authURL := lines.Text()
		stdout.WriteString(authURL + "\n")
		go func() {
			if f.browse != nil {
				browserErr <- f.browse(ctx, authURL)
				return
			}
			browserErr <- testenv.Browser(ctx, authURL, companyIndex, true, f.beforeCallback)
		}()
	} else {
		browserErr <- nil
	}
	for lines.Scan() {
		stdout.WriteString(lines.Text() + "\n")
	}
	r := result{stdout: stdout.String(), stderr: stderr.String(), code: <-codes}
	if err := <-browserErr; err != nil && r.code == 0 {
		t.Fatalf("browser: %v", err)
	}
	f.seen = append(f.seen, r.stdout, r.stderr)
	return r
}

func (f *fixture) secret() string { return f.practice.Settings.ClientSecret + "\n" }

func TestConnectStatusRefreshExportDisconnect(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	r := f.connect(t, 0, f.secret(), f.settingsFlags()...)
	if r.code != 0 {
		t.Fatalf("connect: exit %d\n%s", r.code, r.stderr)
	}
	lines := strings.Split(r.stdout, "\n")
	if !strings.HasPrefix(lines[0], f.practice.Settings.AuthorizeURL+"?") {
		t.Errorf("first line of stdout is not the consent address alone: %q", lines[0])
	}
	if lines[1] != "Connected: Harbour Burgers Pty Ltd (ID 31001)" || lines[2] != "Sites: Parramatta · Manly · Bondi" {
		t.Errorf("connect printed %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "Grant Access") {
		t.Errorf("no guidance on stderr: %q", r.stderr)
	}

	// Saved settings are used the second time: connect another company without flags.
	if r := f.connect(t, 1, ""); r.code != 0 || !strings.Contains(r.stdout, "Connected: Bondi Bean Co.") {
		t.Fatalf("second connect: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = f.run(t, "", "status", "--json")
	var statuses []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &statuses); err != nil || len(statuses) != 2 {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	for _, key := range []string{"company_id", "company_name", "sites", "status", "access_expires_at", "last_refresh_at", "last_check_at", "detail"} {
		if _, ok := statuses[0][key]; !ok {
			t.Errorf("status --json lacks %q", key)
		}
	}
	if statuses[0]["status"] != "unknown" || r.code != 0 {
		t.Errorf("before a check: status %v, exit %d", statuses[0]["status"], r.code)
	}

	if r := f.run(t, "", "status", "--check"); r.code != 0 || strings.Count(r.stdout, "Healthy") != 2 {
		t.Fatalf("status --check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := f.run(t, "", "refresh", "--company", "31001"); r.code != 0 || !strings.Contains(r.stdout, "Harbour Burgers Pty Ltd (31001): refreshed.") {
		t.Fatalf("refresh: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	dir := t.TempDir()
	for _, format := range []string{"json", "env"} {
		out := filepath.Join(dir, "export."+format)
		if r := f.run(t, "", "export", "--out", out, "--format", format); r.code != 0 || !strings.Contains(r.stdout, "keep it private") {
			t.Fatalf("export %s: exit %d\n%s%s", format, r.code, r.stdout, r.stderr)
		}
		if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("export %s: %v, mode %v", format, err, info.Mode())
		}
	}
	out := filepath.Join(dir, "export.json")
	if r := f.run(t, "", "export", "--out", out); r.code != 1 || !strings.Contains(r.stderr, "already a file") {
		t.Errorf("export over a file without --force: exit %d, %q", r.code, r.stderr)
	}
	if r := f.run(t, "", "export", "--out", out, "--force", "--company", "31002"); r.code != 0 {
		t.Errorf("export --force: exit %d, %q", r.code, r.stderr)
	}

	if r := f.run(t, "", "diagnostics"); r.code != 0 || !strings.Contains(r.stdout, "Harbour Burgers") {
		t.Errorf("diagnostics: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := f.run(t, "", "disconnect", "--company", "31002"); r.code != 0 || !strings.Contains(r.stdout, "Disconnected Bondi Bean Co. (31002)") {
		t.Errorf("disconnect: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := f.run(t, "", "disconnect", "--all"); r.code != 2 {
		t.Errorf("disconnect --all without --yes: exit %d", r.code)
	}
	if r := f.run(t, "", "disconnect", "--all", "--yes"); r.code != 0 {
		t.Errorf("disconnect --all --yes: exit %d, %q", r.code, r.stderr)
	}
	if r := f.run(t, "", "status"); r.code != 1 || !strings.Contains(r.stdout, "Nothing is connected yet") {
		t.Errorf("status after forgetting: exit %d, %q", r.code, r.stdout)
	}

	f.assertNoSecretPrinted(t)
}

// assertNoSecretPrinted scans everything the commands printed for the client secret, the
// codes and tokens the practice server issued.
func (f *fixture) assertNoSecretPrinted(t *testing.T) {
	t.Helper()
	secrets := []string{f.practice.Settings.ClientSecret}
	secrets = append(secrets, f.practice.Server.IssuedSecrets()...)
	printed := strings.Join(f.seen, "\n")
	for _, s := range secrets {
		if s != "" && strings.Contains(printed, s) {
			t.Errorf("a secret was printed to the terminal")
		}
	}
}

func TestStatusNeedsAttention(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	if r := f.connect(t, 0, f.secret(), f.settingsFlags()...); r.code != 0 {
		t.Fatalf("connect: %s", r.stderr)
	}
	if r := f.connect(t, 1, ""); r.code != 0 {
		t.Fatalf("connect: %s", r.stderr)
	}

	// A revoked refresh token: needs reconnect, with the exact command, and exit 1.
	f.practice.Server.RevokeRefreshTokens(31002)
	f.practice.Server.ExpireAccessTokens()
	r := f.run(t, "", "status", "--check")
	if r.code != 1 || !strings.Contains(r.stdout, "Needs reconnect") || !strings.Contains(r.stdout, "Fix: lightspeed-connect connect --company 31002") {
		t.Fatalf("revoked: exit %d\n%s", r.code, r.stdout)
	}
	if r := f.run(t, "", "status", "--json"); !strings.Contains(r.stdout, `"status": "needs_reconnect"`) || r.code != 1 {
		t.Errorf("recorded needs_reconnect: exit %d\n%s", r.code, r.stdout)
	}
	if r := f.run(t, "", "refresh", "--company", "31002"); r.code != 1 || !strings.Contains(r.stdout, "Reconnect") {
		t.Errorf("refresh of a revoked company: exit %d\n%s", r.code, r.stdout)
	}

	// The server down: offline, exit 1, nothing lost.
	_ = f.practice.Server.Close()
	r = f.run(t, "", "status", "--check", "--json")
	if r.code != 1 || strings.Count(r.stdout, `"status": "unreachable"`) != 2 {
		t.Fatalf("server down: exit %d\n%s", r.code, r.stdout)
	}
	f.assertNoSecretPrinted(t)
}

func TestWrongClientSecretIsCredentialsInvalid(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	if r := f.connect(t, 0, f.secret(), f.settingsFlags()...); r.code != 0 {
		t.Fatalf("connect: %s", r.stderr)
	}
	flags := f.settingsFlags()
	// Save a wrong secret (connect fails at preflight? no: preflight sends no credentials),
	// then a check with an expired access token must refresh and be refused.
	if r := f.connect(t, 0, "not-the-secret\n", flags...); r.code != 1 || !strings.Contains(r.stderr, "didn't accept the Client ID and Secret") {
		t.Fatalf("connect with a wrong secret: exit %d\n%s", r.code, r.stderr)
	}
	f.practice.Server.ExpireAccessTokens()
	r := f.run(t, "", "status", "--check")
	if r.code != 1 || !strings.Contains(r.stdout, "Credentials invalid") || !strings.Contains(r.stdout, "--client-secret-stdin") {
		t.Fatalf("status --check: exit %d\n%s", r.code, r.stdout)
	}
}

func TestLockedKeyringSaysSo(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	f.keyring.Inject(testenv.OpSet, testenv.FaultErr) // locked: every call fails
	f.keyring.Inject(testenv.OpGet, testenv.FaultErr)
	r := f.run(t, f.secret(), append([]string{"connect", "--no-browser"}, f.settingsFlags()...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "keychain isn't available") || r.stdout != "" {
		t.Fatalf("locked keyring: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
		t.Errorf("want one sentence (and a detail line), got %q", r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	for _, args := range [][]string{
		{"status", "--bogus"},
		{"status", "extra"},
		{"export"},
		{"export", "--out", "x", "--format", "xml"},
		{"disconnect"},
		{"disconnect", "--company", "1", "--all"},
		{"refresh", "--company", "abc"},
		{"practice-server", "--addr", "0.0.0.0:0"},
		{"nonsense"},
	} {
		if r := f.run(t, "", args...); r.code != 2 || r.stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a sentence", args, r.code, r.stderr)
		}
	}
}

func TestPracticeServerPrintsOneJSONLine(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, &Env{Stdin: strings.NewReader(""), Stdout: outW, Stderr: io.Discard}, []string{"practice-server", "--companies", "5"})
		_ = outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]string
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("not one JSON line: %q", line)
	}
	for _, key := range []string{"authorize_url", "token_url", "api_url", "client_id", "client_secret", "redirect_uri"} {
		if info[key] == "" {
			t.Errorf("missing %s in %q", key, line)
		}
	}
	resp, err := http.Get(info["api_url"] + "companies/me.json")
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the server does not answer as Lightspeed would: %v", err)
	}
	if resp != nil {
		_ = resp.Body.Close()
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("interrupted practice server exited %d", code)
	}
}

// TestKeyringFailingAfterConsentLeavesARescueFile: the approval arrives, the keyring refuses
// it, the retry fails too: the command writes the connection to a 0600 file, says where, and
// exits 1 without printing a token.
func TestKeyringFailingAfterConsentLeavesARescueFile(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	f.beforeCallback = func() { f.keyring.RefuseWrites(true) }
	t.Chdir(t.TempDir())
	r := f.connect(t, 0, f.secret(), f.settingsFlags()...)
	if r.code != 1 || !strings.Contains(r.stderr, "couldn't store the connection") || !strings.Contains(r.stderr, "saved to") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	files, _ := filepath.Glob("lightspeed-connect-rescue-31001-*.json")
	if len(files) != 1 {
		t.Fatalf("rescue files: %v", files)
	}
	info, err := os.Stat(files[0])
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("rescue file mode %v, %v", info.Mode(), err)
	}
	testenv.ExportedRefreshToken(t, files[0])
	f.assertNoSecretPrinted(t)
}

// TestPasteWhenTheAppCannotCatchTheAnswer: with a web-address Redirect URI the command reads
// the address the browser ended on from stdin; a wrong paste is refused and it asks again.
func TestPasteWhenTheAppCannotCatchTheAnswer(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	const web = "https://integration.example.com/callback"
	f.practice.Server.AddRedirectURI(web)
	flags := f.settingsFlags()
	flags[4] = web // --redirect-uri
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	env := f.env(inR, outW, &stderr)
	codes := make(chan int, 1)
	go func() {
		codes <- Run(ctx, env, append([]string{"connect", "--no-browser"}, flags...))
		_ = outW.Close()
	}()
	go func() { _, _ = io.WriteString(inW, f.secret()) }()
	lines := bufio.NewScanner(outR)
	if !lines.Scan() {
		t.Fatalf("no consent address; stderr %s", &stderr)
	}
	landed, err := testenv.Consent(ctx, lines.Text(), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_, _ = io.WriteString(inW, "https://integration.example.com/callback?code=x&state=wrong\n")
		_, _ = io.WriteString(inW, landed+"\n")
	}()
	var stdout strings.Builder
	for lines.Scan() {
		stdout.WriteString(lines.Text() + "\n")
	}
	if code := <-codes; code != 0 || !strings.Contains(stdout.String(), "Connected: Harbour Burgers Pty Ltd") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, &stdout, &stderr)
	}
	if strings.Count(stderr.String(), "paste it here") != 2 {
		t.Errorf("a wrong paste should be refused and asked again:\n%s", &stderr)
	}
	f.seen = append(f.seen, stdout.String(), stderr.String())
	f.assertNoSecretPrinted(t)
}
