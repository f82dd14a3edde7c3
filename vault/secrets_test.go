package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/redact"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

func TestSecretsRoundTripInTheRealKeyring(t *testing.T) {
	s := newSecrets(secretsOptions{Service: testenv.KeyringService(t), Timeout: 20 * time.Second})
	ctx := context.Background()
	tokens := Tokens{AccessToken: "acc-" + randomHex(16), RefreshToken: "ref-\"$`\\\n-é-" + randomHex(16)}

	if err := s.SetClientSecret(ctx, "client-1", "secret-"+randomHex(8)+"-ü"); err != nil {
		t.Fatalf("SetClientSecret: %s", problem.Detail(err))
	}
	if got, err := s.ClientSecret(ctx, "client-1"); err != nil || !strings.HasSuffix(got, "-ü") {
		t.Fatalf("ClientSecret = (len %d, %v)", len(got), err)
	}
	_, err := s.ClientSecret(ctx, "client-2")
	wantKind(t, err, problem.KindNotFound)

	if err := s.saveTokens(ctx, 42, tokens); err != nil {
		t.Fatalf("SaveTokens: %s", problem.Detail(err))
	}
	got, err := s.LoadTokens(ctx, 42)
	if err != nil {
		t.Fatalf("LoadTokens: %v", err)
	}
	if got.AccessToken != tokens.AccessToken || got.RefreshToken != tokens.RefreshToken || !got.Expiry.IsZero() {
		t.Fatalf("LoadTokens = %v, want %v with a zero expiry", got, tokens)
	}
	if err := s.deleteCompany(ctx, 42); err != nil {
		t.Fatal(err)
	}
	_, err = s.LoadTokens(ctx, 42)
	wantKind(t, err, problem.KindNotFound)
	if err := s.deleteCompany(ctx, 42); err != nil {
		t.Fatalf("deleting twice must be fine: %v", err)
	}
	if err := s.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = s.ClientSecret(ctx, "client-1")
	wantKind(t, err, problem.KindNotFound)
	if err := s.Probe(ctx); err != nil {
		t.Fatalf("Probe: %v", err)
	}
}

func TestLoadTokensWithoutAccessTokenIsNotAnError(t *testing.T) {
	s := newSecrets(secretsOptions{Service: testenv.KeyringService(t)})
	ctx := context.Background()
	if err := s.saveTokens(ctx, 7, Tokens{AccessToken: "a", RefreshToken: "r"}); err != nil {
		t.Fatal(err)
	}
	if err := (keyringBackend{}).Delete(s.Service(), accessItem(7)); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadTokens(ctx, 7)
	if err != nil || got.AccessToken != "" || got.RefreshToken != "r" {
		t.Fatalf("LoadTokens = %v, %v; want only the refresh token", got, err)
	}
}

// Every keyring path, with every injected failure, must come back as the right kind, and a
// hung keyring must release the caller (the timeout is short here; no timing is asserted).
func TestSecretsInjectedFailures(t *testing.T) {
	service := testenv.KeyringService(t)
	ctx := context.Background()
	ops := map[string]func(s *Secrets) error{
		"SetClientSecret": func(s *Secrets) error { return s.SetClientSecret(ctx, "cid", "secret") },
		"ClientSecret":    func(s *Secrets) error { _, err := s.ClientSecret(ctx, "cid"); return err },
		"SaveTokens":      func(s *Secrets) error { return s.saveTokens(ctx, 1, Tokens{AccessToken: "a", RefreshToken: "r"}) },
		"LoadTokens":      func(s *Secrets) error { _, err := s.LoadTokens(ctx, 1); return err },
		"DeleteCompany":   func(s *Secrets) error { return s.deleteCompany(ctx, 1) },
		"DeleteAll":       func(s *Secrets) error { return s.DeleteAll(ctx) },
		"Probe":           func(s *Secrets) error { return s.Probe(ctx) },
	}
	tests := []struct {
		op    string
		fault testenv.Op
		f     testenv.Fault
		want  problem.Kind
	}{
		{"SetClientSecret", testenv.OpSet, testenv.FaultErr, problem.KindKeyringUnavailable},
		{"SetClientSecret", testenv.OpSet, testenv.FaultHang, problem.KindKeyringUnavailable},
		{"SetClientSecret", testenv.OpSet, testenv.FaultTooBig, problem.KindKeyringTooBig},
		{"ClientSecret", testenv.OpGet, testenv.FaultErr, problem.KindKeyringUnavailable},
		{"ClientSecret", testenv.OpGet, testenv.FaultHang, problem.KindKeyringUnavailable},
		{"ClientSecret", testenv.OpGet, testenv.FaultNotFound, problem.KindNotFound},
		{"SaveTokens", testenv.OpSet, testenv.FaultErr, problem.KindKeyringUnavailable},
		{"SaveTokens", testenv.OpSet, testenv.FaultHang, problem.KindKeyringUnavailable},
		{"SaveTokens", testenv.OpSet, testenv.FaultTooBig, problem.KindKeyringTooBig},
		{"SaveTokens", testenv.OpGet, testenv.FaultMangle, problem.KindKeyringUnavailable},
		{"SaveTokens", testenv.OpGet, testenv.FaultNotFound, problem.KindKeyringUnavailable},
		{"LoadTokens", testenv.OpGet, testenv.FaultErr, problem.KindKeyringUnavailable},
		{"LoadTokens", testenv.OpGet, testenv.FaultHang, problem.KindKeyringUnavailable},
		{"LoadTokens", testenv.OpGet, testenv.FaultNotFound, problem.KindNotFound},
		{"DeleteCompany", testenv.OpDelete, testenv.FaultErr, problem.KindKeyringUnavailable},
		{"DeleteCompany", testenv.OpDelete, testenv.FaultHang, problem.KindKeyringUnavailable},
		{"DeleteCompany", testenv.OpDelete, testenv.FaultNotFound, ""},
		{"DeleteAll", testenv.OpDeleteAll, testenv.FaultErr, problem.KindKeyringUnavailable},
		{"DeleteAll", testenv.OpDeleteAll, testenv.FaultHang, problem.KindKeyringUnavailable},
		{"DeleteAll", testenv.OpDeleteAll, testenv.FaultNotFound, ""},
		{"Probe", testenv.OpSet, testenv.FaultErr, problem.KindKeyringUnavailable},
		{"Probe", testenv.OpSet, testenv.FaultHang, problem.KindKeyringUnavailable},
		{"Probe", testenv.OpGet, testenv.FaultMangle, problem.KindKeyringUnavailable},
		{"Probe", testenv.OpDelete, testenv.FaultErr, problem.KindKeyringUnavailable},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%d", tt.op, tt.fault, tt.f), func(t *testing.T) {
			fb := testenv.NewKeyring(t)
			timeout := 20 * time.Second
			if tt.f == testenv.FaultHang {
				timeout = 300 * time.Millisecond
			}
			s := newSecrets(secretsOptions{Service: service, Timeout: timeout, Backend: fb})
			// Real items first, so that only the injected fault can make the call fail.
			if err := s.SetClientSecret(ctx, "cid", "secret"); err != nil {
				t.Fatal(err)
			}
			if err := s.saveTokens(ctx, 1, Tokens{AccessToken: "a", RefreshToken: "r"}); err != nil {
				t.Fatal(err)
			}
			fb.Inject(tt.fault, tt.f)
			err := ops[tt.op](s)
			wantKind(t, err, tt.want)
			if err != nil && problem.Summary(err) == "" {
				t.Fatal("a failure must carry a plain summary")
			}
		})
	}
}

func TestKeyringUnavailableSaysTheFixForThisOS(t *testing.T) {
	fb := testenv.NewKeyring(t)
	fb.Inject(testenv.OpGet, testenv.FaultErr)
	s := newSecrets(secretsOptions{Service: "lsc-test-unused", Backend: fb})
	_, err := s.LoadTokens(context.Background(), 1)
	wantKind(t, err, problem.KindKeyringUnavailable)
	if got, want := problem.Summary(err), keyringSentence(s.goos, "isn't available"); got != want {
		t.Fatalf("summary = %q, want %q", got, want)
	}
	for goos, fix := range map[string]string{
		"linux": "GNOME Keyring (or KWallet)", "freebsd": "GNOME Keyring",
		"darwin": "Keychain Access", "windows": "Credential Manager",
	} {
		if s := keyringSentence(goos, "isn't available"); !strings.Contains(s, fix) || !strings.Contains(s, "try again") {
			t.Errorf("%s: %q does not name %q and what to do", goos, s, fix)
		}
	}
}

func TestSaveTokensWritesTheRefreshTokenFirstAndVerifiesIt(t *testing.T) {
	fb := testenv.NewKeyring(t)
	s := newSecrets(secretsOptions{Service: testenv.KeyringService(t), Backend: fb})
	ctx := context.Background()
	if err := s.saveTokens(ctx, 9, Tokens{AccessToken: "a1", RefreshToken: "r1"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"set company:9:refresh", "get company:9:refresh", "set company:9:access"}
	if got := fb.Calls(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("calls = %v, want %v", got, want)
	}

	// A keyring that does not keep the value: detected, and the access token is not written.
	fb.Inject(testenv.OpGet, testenv.FaultMangle)
	err := s.saveTokens(ctx, 9, Tokens{AccessToken: "a2", RefreshToken: "r2"})
	wantKind(t, err, problem.KindKeyringUnavailable)
	fb.Clear()
	got, err := s.LoadTokens(ctx, 9)
	if err != nil || got.AccessToken != "a1" {
		t.Fatalf("after a failed verify the access token must be untouched: %v, %v", got, err)
	}
}

func TestTooBigIsRefusedBeforeTheKeyringIsAsked(t *testing.T) {
	fb := testenv.NewKeyring(t)
	s := newSecrets(secretsOptions{Service: "lsc-test-unused", Backend: fb})
	err := s.saveTokens(context.Background(), 1, Tokens{RefreshToken: strings.Repeat("x", otherMaxValue+1)})
	wantKind(t, err, problem.KindKeyringTooBig)
	if calls := fb.Calls(); len(calls) != 0 {
		t.Fatalf("the keyring was asked: %v", calls)
	}
}

func TestCheckSizePerPlatform(t *testing.T) {
	const svc, item = DefaultService, "company:123456789:refresh"
	darwinMax := (darwinMaxEncoded-len(svc)-len(item)-darwinEncodingPrefix)/4*3 - 2
	tests := []struct {
		goos    string
		service string
		size    int
		fits    bool
	}{
		{"windows", svc, 2560, true},
		{"windows", svc, 2561, false},
		{"windows", strings.Repeat("s", 512), 10, false},
		{"darwin", svc, darwinMax, true},
		{"darwin", svc, 2100, false},
		{"linux", svc, 64 << 10, true},
		{"linux", svc, 64<<10 + 1, false},
		{"freebsd", svc, 100, true},
	}
	for _, tt := range tests {
		err := checkSize(tt.goos, tt.service, item, strings.Repeat("v", tt.size))
		if (err == nil) != tt.fits {
			t.Errorf("%s, %d bytes: fits = %t, want %t", tt.goos, tt.size, err == nil, tt.fits)
		}
		if err != nil {
			wantKind(t, err, problem.KindKeyringTooBig)
		}
	}
}

func TestCanceledContextIsCanceled(t *testing.T) {
	fb := testenv.NewKeyring(t)
	fb.Inject(testenv.OpGet, testenv.FaultHang)
	s := newSecrets(secretsOptions{Service: "lsc-test-unused", Backend: fb, Timeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, err := s.ClientSecret(ctx, "cid")
	wantKind(t, err, problem.KindCanceled)
	_, err = s.ClientSecret(ctx, "cid")
	wantKind(t, err, problem.KindCanceled)
}

func TestTokensNeverPrintTheirSecrets(t *testing.T) {
	tok := Tokens{AccessToken: "ACCESS-SECRET-123", RefreshToken: "REFRESH-SECRET-456", Expiry: time.Unix(1e9, 0)}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%T %v"} {
		out = append(out, fmt.Sprintf(verb, tok), fmt.Sprintf(verb, &tok), fmt.Sprintf(verb, []Tokens{tok}))
	}
	js, _ := json.Marshal(map[string]any{"t": tok})
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "tokens", tok)
	out = append(out, string(js), logged.String(), tok.GoString())
	for _, s := range out {
		if strings.Contains(s, "SECRET") {
			t.Fatalf("a secret leaked: %s", s)
		}
	}
	if !strings.Contains(tok.String(), redact.Fingerprint(tok.RefreshToken)) {
		t.Fatalf("String %q should name the refresh token's fingerprint", tok.String())
	}
}
