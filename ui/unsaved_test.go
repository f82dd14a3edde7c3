package ui

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"

	"fyne.io/fyne/v2/storage"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// fileDialogFolderKey is where Fyne's file dialog remembers the folder last used; the
// dialog opens there.
const fileDialogFolderKey = "fyne:fileDialogLastFolder"

// TestNotStoredConnectionThroughTheWindow turns the keyring off right after the consent is
// granted, before the answer reaches the app. The window offers to store the connection again
// or export it; the export (through the save dialog) holds a refresh token the practice
// server accepts, readable only by this user; closing the window asks first, even after the
// export; and once the keyring works again, Try storing again connects.
func TestNotStoredConnectionThroughTheWindow(t *testing.T) {
	testenv.Need(t)
	tv := testenv.NewVault(t)
	k := tv.Keyring
	errs := make(chan error, 1)
	refuseThenFollow := inBrowser(errs, func(ctx context.Context, authURL string) error {
		callback, err := testenv.Consent(ctx, authURL, 0, true)
		if err != nil {
			return err
		}
		k.RefuseWrites(true)
		return testenv.Get(ctx, callback)
	})
	at := time.Now() // the clock stands still, so the rescue file's name is known
	h := newHarness(t, deps{open: refuseThenFollow, now: func() time.Time { return at },
		options: connections.Options{Dir: tv.Dir, Service: tv.Service, Keyring: k, KeyringTimeout: 5 * time.Second}})
	toPracticeDetails(h)
	h.tap("Next")
	h.waitTextUnless(errs, "The connection isn't stored yet")
	h.ui(func() {
		for _, want := range []string{"Lightspeed approved Harbour Burgers Pty Ltd", "keychain", "Try storing again", "Export to a file…"} {
			if !h.has(want) {
				t.Errorf("the not-stored dialog does not say %q: %q", want, h.texts())
			}
		}
	})

	// A file already at the name survives the folder choice and "Keep it"; Replace writes it.
	dir := t.TempDir()
	// The core's name for a rescue: the company and the moment (the command line's too).
	name := "lightspeed-connect-rescue-31001-" + at.UTC().Format("20060102-150405") + ".json"
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.app.Preferences().SetString(fileDialogFolderKey, storage.NewFileURI(dir).String())
	h.tap("Export to a file…")
	h.tap("Choose")
	h.waitText("Replace " + name + "?")
	if got, _ := os.ReadFile(path); string(got) != "keep me" {
		t.Fatalf("choosing the folder changed the file to %q", got)
	}
	h.tap("Keep it")
	h.waitText("Try storing again")
	if got, _ := os.ReadFile(path); string(got) != "keep me" {
		t.Fatalf("Keep it changed the file to %q", got)
	}
	h.tap("Export to a file…")
	h.tap("Choose")
	h.tap("Replace")
	h.waitText("Saved to " + path)
	checkRescueFile(t, h, path)

	h.ui(h.win.clickClose)
	h.waitText("Close without storing the connection?")
	h.tap("Keep open")
	h.ui(func() {
		if h.win.closed || !h.has("Try storing again") {
			t.Fatalf("Keep open did not keep the connection on offer: closed %t, %q", h.win.closed, h.texts())
		}
	})

	k.RefuseWrites(false)
	h.tap("Try storing again")
	h.waitText("✓ Connected: Harbour Burgers Pty Ltd")
	h.tap("Done")
	h.waitText("● Healthy")
	h.ui(func() {
		if h.shell.unsaved != nil {
			t.Fatal("the window still holds the connection as not stored")
		}
	})
}

// checkRescueFile checks that the exported file is private and that its refresh token works
// at the practice server.
func checkRescueFile(t *testing.T, h *harness, path string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the exported file has mode %v, want 0600", info.Mode().Perm())
	}
	exported := testenv.ExportedRefreshToken(t, path)
	var s connections.Settings
	h.ui(func() { s = h.shell.practice.server.Settings })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := testenv.RefreshWorks(ctx, s.TokenURL, s.ClientID, s.ClientSecret, exported); err != nil {
		t.Fatalf("the practice server refuses the exported refresh token: %v", err)
	}
}
