package connections

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// TestNoSecretLeavesTheKeyring runs a failed and a successful connect, a check, a refresh
// and the diagnostics against the practice server, capturing everything logged; then it
// scans the logs, every sentence shown, the state directory and the temporary directory for
// the client secret, the code, the state and every token. None may appear.
func TestNoSecretLeavesTheKeyring(t *testing.T) {
	var logged bytes.Buffer
	log.SetOutput(&logged)
	defer log.SetOutput(os.Stderr)
	oldSlog := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(oldSlog)

	f := newFixture(t, PracticeConfig{RotateRefresh: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var shown []string
	secrets := []string{f.practice.Settings.ClientSecret}

	// A failed flow: the person denies access.
	a, err := f.core.StartConnect(ctx, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, queryValue(t, a.AuthURL(), "state"))
	denied, err := testenv.Consent(ctx, a.AuthURL(), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = testenv.Get(ctx, denied) }()
	_, err = a.Wait(ctx)
	if !problem.Is(err, problem.KindAccessDenied) {
		t.Fatalf("denied flow: %v", err)
	}
	shown = append(shown, fmt.Sprintf("%v %+v", err, err), problem.Summary(err), problem.Detail(err))

	// A successful one, then a check, a refresh and the diagnostics.
	a, err = f.core.StartConnect(ctx, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, queryValue(t, a.AuthURL(), "state"))
	callback, err := testenv.Consent(ctx, a.AuthURL(), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, queryValue(t, callback, "code"))
	go func() { _ = testenv.Get(ctx, callback) }()
	connected, err := a.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := f.vault.Tokens(ctx, connected.Company.ID)
	statuses, err := f.core.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.core.Refresh(ctx, connected.Company.ID); err != nil {
		t.Fatal(err)
	}
	refreshed, _ := f.vault.Tokens(ctx, connected.Company.ID)
	secrets = append(secrets, first.AccessToken, first.RefreshToken, refreshed.AccessToken, refreshed.RefreshToken)
	shown = append(shown, fmt.Sprintf("%v %+v %#v", connected, statuses, refreshed), f.core.Diagnostics(ctx, "test").Text())

	for _, secret := range secrets {
		if len(secret) < 16 {
			t.Fatalf("a secret of %d characters is too short to scan for reliably", len(secret))
		}
		for i, text := range append(shown, logged.String()) {
			if strings.Contains(text, secret) {
				t.Errorf("a secret appears in shown text %d: %q", i, text)
			}
		}
		for _, dir := range []string{f.vault.Store.Dir(), os.TempDir()} {
			if path := fileContaining(t, dir, secret); path != "" {
				t.Errorf("a secret appears in %s", path)
			}
		}
	}
}

func queryValue(t *testing.T, raw, key string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get(key)
}

// fileContaining returns the first regular file under dir (up to 4 MiB each, so test
// binaries are passed over) that contains secret, or "".
func fileContaining(t *testing.T, dir, secret string) string {
	t.Helper()
	found := ""
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || found != "" || !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > 4<<20 {
			return nil
		}
		if data, err := os.ReadFile(path); err == nil && bytes.Contains(data, []byte(secret)) {
			found = path
		}
		return nil
	})
	return found
}
