package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"github.com/zalando/go-keyring"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestClosingDuringAutomaticRefreshLosesNothing closes the window while the automatic refresh
// is on its way to a practice server that rotates refresh tokens strictly and answers slowly.
// The window says it is finishing the refresh and closes (which ends the app) only once the
// rotated token is in the keyring: the refresh token stored at that moment works when asked
// directly at the token endpoint.
func TestClosingDuringAutomaticRefreshLosesNothing(t *testing.T) {
	testenv.Need(t)
	tv, opts, p := slowStrictRefresh(t)
	seen := p.Server.Stats().TokenRequests

	h := newHarness(t, deps{options: opts, tray: func(fyne.App) desktop.App { return nil }})
	var atClose string
	h.ui(func() {
		h.win.onClose = func() { atClose, _ = keyring.Get(tv.Service, "company:31001:refresh") }
	})
	h.ui(h.shell.start)
	refreshSent(t, p, seen)
	h.ui(h.win.clickClose)
	h.waitText(connections.FinishingRefresh)
	h.waitFor("the window to close", func() bool { return h.win.closed })
	// Had the app exited here, the server would still have answered its request, rotating
	// the refresh token: let that happen before asking about the token stored at close.
	ctx, cancel := context.WithTimeout(context.Background(), connections.DrainTimeout)
	defer cancel()
	h.shell.real.Drain(ctx)
	p.Server.SetLatency(0)
	ps := p.Settings
	if err := testenv.RefreshWorks(ctx, ps.TokenURL, ps.ClientID, ps.ClientSecret, atClose); err != nil {
		t.Fatalf("when the window closed, the stored refresh token was already lost: %v", err)
	}
}

// slowStrictRefresh connects a demo company on a practice server that rotates refresh tokens
// strictly and answers after a second, with access tokens that last less than the refresh
// margin, so the automatic refresh is due at once and stays in flight for a while.
func slowStrictRefresh(t *testing.T) (*testenv.Vault, connections.Options, *connections.Practice) {
	t.Helper()
	tv := testenv.NewVault(t)
	opts := connections.Options{Dir: tv.Dir, Service: tv.Service, Keyring: tv.Keyring}
	p := connectStrict(t, opts, connections.PracticeConfig{RotateRefresh: true, StrictRotation: true, AccessTTL: 2 * time.Minute})
	p.Server.SetLatency(time.Second)
	return tv, opts, p
}

// refreshSent waits until the practice server has had more token requests than seen.
func refreshSent(t *testing.T, p *connections.Practice, seen int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for p.Server.Stats().TokenRequests <= seen {
		if time.Now().After(deadline) {
			t.Fatal("the automatic refresh never reached the server")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// connectStrict is connectThroughCore with the practice server configured by cfg.
func connectStrict(t *testing.T, opts connections.Options, cfg connections.PracticeConfig) *connections.Practice {
	t.Helper()
	p, err := connections.StartPractice(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	core, err := connections.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := core.SaveSettings(ctx, p.Settings); err != nil {
		t.Fatal(err)
	}
	att, err := core.StartConnect(ctx, connections.ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	browserErr := make(chan error, 1)
	go func() { browserErr <- testenv.Browser(ctx, att.AuthURL(), 0, true, nil) }()
	if _, err := att.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-browserErr; err != nil {
		t.Fatalf("browser: %v", err)
	}
	return p
}

// TestRefreshTheKeyringRefusesIsOfferedInTheWindow: the keyring refuses the tokens of an
// automatic refresh under strict rotation. The window offers them at once like an unsaved
// connection; the export holds a refresh token the server accepts; closing asks first.
func TestRefreshTheKeyringRefusesIsOfferedInTheWindow(t *testing.T) {
	testenv.Need(t)
	tv := testenv.NewVault(t)
	opts := connections.Options{Dir: tv.Dir, Service: tv.Service, Keyring: tv.Keyring, KeyringTimeout: 5 * time.Second}
	p := connectStrict(t, opts, connections.PracticeConfig{RotateRefresh: true, StrictRotation: true, AccessTTL: 2 * time.Minute})
	tv.Keyring.RefuseWrites(true)
	at := time.Now() // the clock stands still, so the rescue file's name is known
	h := newHarness(t, deps{options: opts, now: func() time.Time { return at }, tray: func(fyne.App) desktop.App { return nil }})
	h.ui(h.shell.start)
	h.waitText("The connection isn't stored yet")
	h.ui(func() {
		for _, want := range []string{"couldn't store the new token", "Try storing again", "Export to a file…"} {
			if !h.has(want) {
				t.Errorf("the dialog does not say %q: %q", want, h.texts())
			}
		}
	})
	dir := t.TempDir()
	h.app.Preferences().SetString(fileDialogFolderKey, storage.NewFileURI(dir).String())
	h.tap("Export to a file…")
	h.tap("Choose")
	path := filepath.Join(dir, "lightspeed-connect-rescue-31001-"+at.UTC().Format("20060102-150405")+".json")
	h.waitText("Saved to " + path)

	h.ui(h.win.clickClose)
	h.waitText("Close without storing the connection?")
	h.tap("Keep open")

	exported := testenv.ExportedRefreshToken(t, path)
	ps := p.Settings
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := testenv.RefreshWorks(ctx, ps.TokenURL, ps.ClientID, ps.ClientSecret, exported); err != nil {
		t.Fatalf("the exported refresh token does not work: %v", err)
	}
}
