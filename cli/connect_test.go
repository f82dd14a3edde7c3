package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestConnectOpensTheBrowser: without --no-browser the consent address goes to the opener,
// not to stdout; when the opener fails, the address is printed with a sentence saying to open
// it by hand, and the connect still succeeds.
func TestConnectOpensTheBrowser(t *testing.T) {
	cases := []struct {
		name       string
		openerFail bool
		wantURL    bool // the consent address is printed on stdout
		says       string
	}{
		{"opener works", false, false, "Your browser is opening"},
		{"opener fails", true, true, "Open this address in your browser"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, connections.PracticeConfig{})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var stdout, stderr bytes.Buffer
			env := f.env(strings.NewReader(f.secret()), &stdout, &stderr)
			browserErr := make(chan error, 1)
			env.OpenURL = func(address string) error {
				go func() { browserErr <- testenv.Browser(ctx, address, 0, true, nil) }()
				if c.openerFail {
					return os.ErrNotExist
				}
				return nil
			}
			code := Run(ctx, env, append([]string{"connect"}, f.settingsFlags()...))
			f.seen = append(f.seen, stdout.String(), stderr.String())
			if err := <-browserErr; err != nil || code != 0 {
				t.Fatalf("exit %d, browser %v\n%s%s", code, err, &stdout, &stderr)
			}
			lines := strings.Split(stdout.String(), "\n")
			gotURL := strings.HasPrefix(lines[0], f.practice.Settings.AuthorizeURL+"?")
			if gotURL != c.wantURL || !strings.Contains(stdout.String(), "Connected: Harbour Burgers Pty Ltd (ID 31001)") {
				t.Errorf("stdout %q", &stdout)
			}
			if !strings.Contains(stderr.String(), c.says) {
				t.Errorf("stderr does not say %q: %q", c.says, &stderr)
			}
			f.assertNoSecretPrinted(t)
		})
	}
}

// TestConnectInterrupted: Ctrl+C (the context of Main) while waiting ends the command with a
// plain sentence and exit 1, and the Redirect URI's port is free again at once.
func TestConnectInterrupted(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	env := f.env(strings.NewReader(f.secret()), outW, &stderr)
	codes := make(chan int, 1)
	go func() {
		codes <- Run(ctx, env, append([]string{"connect", "--no-browser"}, f.settingsFlags()...))
		_ = outW.Close()
	}()
	lines := bufio.NewScanner(outR)
	if !lines.Scan() {
		t.Fatalf("no consent address; stderr %s", &stderr)
	}
	cancel()
	for lines.Scan() {
	}
	if code := <-codes; code != 1 {
		t.Fatalf("exit %d; want 1\n%s", code, &stderr)
	}
	if !strings.HasSuffix(stderr.String(), "Connecting was cancelled. Nothing has changed; you can connect again at any time.\n") {
		t.Errorf("the last line is not the plain sentence about the interruption:\n%s", &stderr)
	}
	u, err := url.Parse(f.practice.Settings.RedirectURI)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", u.Host)
	if err != nil {
		t.Fatalf("the port is still held after the interruption: %v", err)
	}
	_ = ln.Close()
}

// TestNothingSetUpSaysHowOnTheCommandLine: on a fresh computer every command says what to run
// (never "enter it in the window"), exits 1, and a partial set of flags is a usage error.
func TestNothingSetUpSaysHowOnTheCommandLine(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	cases := []struct {
		args []string
		code int
		out  string // on stdout, or on stderr when it starts with "!"
	}{
		{[]string{"status"}, 1, "Nothing is connected yet"},
		{[]string{"status", "--check"}, 1, "Nothing is connected yet"},
		{[]string{"status", "--check", "--json"}, 1, "[]"},
		{[]string{"refresh"}, 1, "Nothing is connected yet"},
		{[]string{"connect", "--no-browser"}, 1, "!lightspeed-connect connect --client-id CLIENT_ID --client-secret-stdin"},
		{[]string{"connect", "--no-browser", "--redirect-uri", "http://127.0.0.1:8765/callback"}, 2, "!isn't set up on this computer yet"},
		{[]string{"connect", "--timeout", "0s"}, 2, "!--timeout"},
		{[]string{"export", "--out", filepath.Join(t.TempDir(), "x.json")}, 1, "Nothing is connected yet"},
	}
	for _, c := range cases {
		r := f.run(t, "", c.args...)
		where, want := r.stdout, c.out
		if strings.HasPrefix(want, "!") {
			where, want = r.stderr, want[1:]
		}
		if r.code != c.code || !strings.Contains(where, want) {
			t.Errorf("%v: exit %d (want %d)\nstdout %q\nstderr %q\nwant %q", c.args, r.code, c.code, r.stdout, r.stderr, c.out)
		}
		if strings.Contains(r.stdout+r.stderr, "integration settings") {
			t.Errorf("%v points at the window's settings: %q", c.args, r.stderr)
		}
	}
}

// TestReconnectAndSavedSettings: a reconnect says so; a reconnect of an unknown company is
// refused before any consent page is asked for; flags given alone merge with the saved
// settings (the saved secret is kept); an export over a file names --force.
func TestReconnectAndSavedSettings(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	if r := f.connect(t, 0, f.secret(), f.settingsFlags()...); r.code != 0 {
		t.Fatalf("connect: exit %d\n%s", r.code, r.stderr)
	}
	if r := f.connect(t, 0, "", "--company", "31001"); r.code != 0 || !strings.Contains(r.stdout, "Reconnected: Harbour Burgers Pty Ltd (ID 31001)") {
		t.Fatalf("reconnect: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	before := f.practice.Server.Stats().AuthorizeRequests
	r := f.run(t, "", "connect", "--no-browser", "--company", "999")
	if r.code != 1 || !strings.Contains(r.stderr, "No company with ID 999") || r.stdout != "" {
		t.Errorf("reconnect of an unknown company: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	if n := f.practice.Server.Stats().AuthorizeRequests; n != before {
		t.Errorf("the consent page was requested for an unknown company")
	}

	// One flag alone: the saved Client ID and secret are kept.
	if r := f.connect(t, 1, "", "--redirect-uri", f.practice.Settings.RedirectURI); r.code != 0 || !strings.Contains(r.stdout, "Connected: Bondi Bean Co.") {
		t.Fatalf("connect with one flag: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A new Client ID without its secret is refused as a usage error.
	if r := f.run(t, "", "connect", "--no-browser", "--client-id", "another"); r.code != 2 || !strings.Contains(r.stderr, "--client-secret-stdin") {
		t.Errorf("new client ID without a secret: exit %d, %q", r.code, r.stderr)
	}

	out := filepath.Join(t.TempDir(), "tokens.json")
	if r := f.run(t, "", "export", "--out", out); r.code != 0 {
		t.Fatalf("export: exit %d, %q", r.code, r.stderr)
	}
	if r := f.run(t, "", "export", "--out", out); r.code != 1 || !strings.Contains(r.stderr, "already a file") || !strings.Contains(r.stderr, "--force") {
		t.Errorf("export over a file: exit %d, %q", r.code, r.stderr)
	}
	f.assertNoSecretPrinted(t)
}
