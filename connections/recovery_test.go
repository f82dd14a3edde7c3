package connections

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
)

// fixtureWithKeyring is newFixture with a short keyring timeout, for tests that switch
// keyring failures on.
func fixtureWithKeyring(t *testing.T) (*fixture, *testenv.Keyring) {
	t.Helper()
	f := newFixtureWith(t, PracticeConfig{}, Options{KeyringTimeout: 2 * time.Second})
	return f, f.keyring
}

// TestPreflightFailsBeforeTheBrowserOpens injects each preflight failure alone: StartConnect
// returns its own plain sentence, and no consent page was ever asked for.
func TestPreflightFailsBeforeTheBrowserOpens(t *testing.T) {
	cases := []struct {
		name   string
		inject func(t *testing.T, f *fixture, k *testenv.Keyring)
		want   problem.Kind
		says   string
	}{
		{"keyring refusing", func(t *testing.T, f *fixture, k *testenv.Keyring) { k.RefuseWrites(true) },
			problem.KindKeyringUnavailable, "keychain"},
		{"keyring hanging", func(t *testing.T, f *fixture, k *testenv.Keyring) { k.Inject(testenv.OpSet, testenv.FaultHang) },
			problem.KindKeyringUnavailable, "keychain"},
		{"port taken", func(t *testing.T, f *fixture, k *testenv.Keyring) {
			r, _ := oauth.CheckRedirectURI(f.practice.Settings.RedirectURI)
			ln, err := net.Listen("tcp", r.ListenAddrs[0])
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = ln.Close() })
		}, problem.KindPortInUse, "port"},
		{"token host unreachable", func(t *testing.T, f *fixture, k *testenv.Keyring) { _ = f.practice.Server.Close() },
			problem.KindNetwork, "Couldn't reach"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, k := fixtureWithKeyring(t)
			before := f.practice.Server.Stats().AuthorizeRequests
			c.inject(t, f, k)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			a, err := f.core.StartConnect(ctx, ConnectOptions{})
			if err == nil {
				a.Close()
				t.Fatal("StartConnect succeeded; want a preflight failure")
			}
			if problem.KindOf(err) != c.want || !strings.Contains(problem.Summary(err), c.says) {
				t.Fatalf("got %s: %q; want %s saying %q", problem.KindOf(err), problem.Summary(err), c.want, c.says)
			}
			if n := f.practice.Server.Stats().AuthorizeRequests; n != before {
				t.Fatalf("the consent page was requested %d time(s)", n-before)
			}
		})
	}
}

func TestPreflightReadOnlyStateDirectory(t *testing.T) {
	f, _ := fixtureWithKeyring(t)
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	core, err := Open(Options{Dir: filepath.Join(file, "state"), Service: f.vault.Secrets.Service()})
	if err != nil {
		t.Fatal(err)
	}
	err = core.preflight(context.Background(), f.practice.Settings)
	if !problem.Is(err, problem.KindStorage) || !strings.Contains(problem.Summary(err), "can't save") {
		t.Fatalf("got %s: %q; want a storage problem", problem.KindOf(err), problem.Summary(err))
	}
}

// TestKeyringFailingAfterExchangeKeepsTokensRetrievable switches the keyring off between the
// consent and the exchange: the connection comes back as an UnsavedError whose export holds
// working tokens, and whose words hold none.
func TestKeyringFailingAfterExchangeKeepsTokensRetrievable(t *testing.T) {
	f, k := fixtureWithKeyring(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := f.core.StartConnect(ctx, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	callback, err := testenv.Consent(ctx, a.AuthURL(), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	k.RefuseWrites(true)
	go func() { _ = testenv.Get(ctx, callback) }()
	_, waitErr := a.Wait(ctx)
	unsaved := AsUnsaved(waitErr)
	if unsaved == nil || !problem.Is(waitErr, problem.KindNotStored) {
		t.Fatalf("err = %v (%s); want an UnsavedError", waitErr, problem.KindOf(waitErr))
	}
	if _, err := unsaved.Retry(ctx); AsUnsaved(err) == nil {
		t.Fatalf("retry with the keyring still off: %v; want another UnsavedError", err)
	}

	path := filepath.Join(t.TempDir(), "rescue.json")
	if err := unsaved.Export(path, FormatJSON, false); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	refresh := unsaved.tokens.RefreshToken
	if refresh == "" || !strings.Contains(string(data), refresh) {
		t.Fatal("the export does not hold the refresh token")
	}
	for _, text := range []string{waitErr.Error(), unsaved.Error(), problem.Summary(waitErr), problem.Detail(waitErr), fmt.Sprintf("%v %+v", unsaved, waitErr)} {
		if strings.Contains(text, refresh) || strings.Contains(text, unsaved.tokens.AccessToken) {
			t.Fatalf("a token leaked into the error text: %q", text)
		}
	}
	// The exported refresh token works.
	ps := f.practice.Settings
	if err := testenv.RefreshWorks(ctx, ps.TokenURL, ps.ClientID, ps.ClientSecret, refresh); err != nil {
		t.Fatalf("the exported refresh token does not work: %v", err)
	}
	// Once the keyring is back, Retry stores the connection.
	k.RefuseWrites(false)
	got, err := unsaved.Retry(ctx)
	if err != nil || got.Company.Name != "Harbour Burgers Pty Ltd" {
		t.Fatalf("retry: %+v, %v", got, err)
	}
}

// TestReconnectKeepsOldTokensUntilNewOnesAreStored: a reconnect whose new tokens cannot be
// stored leaves the company's old tokens in the keyring, still working.
func TestReconnectKeepsOldTokensUntilNewOnesAreStored(t *testing.T) {
	f, k := fixtureWithKeyring(t)
	first, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	old, err := f.vault.Tokens(ctx, first.Company.ID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.core.StartConnect(ctx, ConnectOptions{Reconnect: first.Company.ID})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = testenv.Browser(ctx, a.AuthURL(), 0, true, func() { k.RefuseWrites(true) })
	}()
	if _, err := a.Wait(ctx); AsUnsaved(err) == nil {
		t.Fatalf("reconnect with the keyring refusing: %v; want an UnsavedError", err)
	}
	k.RefuseWrites(false)
	kept, err := f.vault.Tokens(ctx, first.Company.ID)
	if err != nil || kept.RefreshToken != old.RefreshToken {
		t.Fatalf("the old refresh token was not kept: %v", err)
	}
	if err := f.core.Refresh(ctx, first.Company.ID); err != nil {
		t.Fatalf("the old connection stopped working: %v", err)
	}
}
