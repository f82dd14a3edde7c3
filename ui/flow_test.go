package ui

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"

	"fyne.io/fyne/v2"
)

// TestPracticeFlowThroughTheWindow drives the whole practice connect as a person would:
// Welcome, Practice, the prefilled details, Next, the browser's consent (played by the
// opener), Connected, Done, and the dashboard, where the company turns Healthy. Then it
// exports, replacing the file only after asking, and disconnects after asking.
func TestPracticeFlowThroughTheWindow(t *testing.T) {
	testenv.Need(t)
	errs := make(chan error, 1)
	h := newHarness(t, deps{open: consentOpener(0, true, errs)})
	h.ui(h.shell.start)
	h.waitText("Practice with a demo company")
	h.tap("Practice with a demo company")
	h.answerProduct("")
	h.waitText("Practice mode — demo companies on this computer only")
	h.waitText("Enter your integration's details")
	h.tap("Next")
	h.waitTextUnless(errs, "✓ Connected: Harbour Burgers Pty Ltd")
	h.ui(func() {
		for _, want := range []string{"Sites: ", "Everything is stored safely in this computer's keychain.", "Practice mode"} {
			if !h.has(want) {
				t.Errorf("the Connected screen does not say %q", want)
			}
		}
	})
	h.tap("Done")
	h.waitText("Check all")
	h.waitText("● Healthy")
	h.ui(func() {
		if !h.has("token ") || !h.has("checked just now") {
			t.Errorf("the row lacks its token countdown or check time: %q", h.texts())
		}
	})

	path := filepath.Join(t.TempDir(), "tokens.json")
	for _, replace := range []bool{false, true} {
		h.tap("Export…")
		h.waitText("Export tokens")
		h.waitText(connections.HandOffExplanation)
		h.ui(func() { h.win.Canvas().Focus(nil) })
		setExportPath(h, path)
		h.tap("Export")
		if replace {
			h.waitText("Replace tokens.json?")
			h.tap("Replace")
		}
		h.waitText("Saved to " + path + ". It contains secrets: keep it private.")
		h.tap("OK")
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v, %v", info, err)
	}

	h.tap("Disconnect…")
	h.waitText("A refresh token can't be recovered")
	h.tap("Disconnect") // the dialog's button is found first
	h.waitText("No companies are connected on this computer.")
}

// setExportPath types the path into the open export dialog's file field.
func setExportPath(h *harness, path string) {
	h.ui(func() {
		top := []fyne.CanvasObject{h.win.Canvas().Overlays().Top()}
		e := first(top, func(e *field) bool { return filepath.IsAbs(e.Text) })
		if e == nil {
			h.t.Fatal("no file field in the export dialog")
		}
		e.SetText(path)
	})
}

// TestWaitingCancelFreesThePort cancels while waiting for the browser: the window goes back
// to the details and the Redirect URI's port is free again.
func TestWaitingCancelFreesThePort(t *testing.T) {
	testenv.Need(t)
	h := newHarness(t, deps{})
	redirect := toWaiting(t, h)
	h.tap("Cancel")
	h.waitText("Enter your integration's details")
	h.waitFor("the port to be free", func() bool {
		ln, err := net.Listen("tcp", redirect)
		if err != nil {
			return false
		}
		_ = ln.Close()
		return true
	})
}

// TestWaitingTimesOut lets the time run out: the person is told so, and can try again.
func TestWaitingTimesOut(t *testing.T) {
	testenv.Need(t)
	h := newHarness(t, deps{connectTimeout: 2 * time.Second})
	toWaiting(t, h)
	h.waitText("Couldn't connect")
	h.ui(func() {
		if !h.has("Try again") || !h.has("Back") {
			t.Fatalf("the timeout dialog offers no way on: %q", h.texts())
		}
	})
	h.tap("Try again")
	h.waitText("Waiting for you in the browser…")
	h.waitText("Couldn't connect")
	h.tap("Back")
	h.waitText("Enter your integration's details")
}

// toWaiting goes from Practice to the waiting screen, with an opener that does nothing, and
// returns the Redirect URI's host and port.
func toWaiting(t *testing.T, h *harness) string {
	t.Helper()
	toPracticeDetails(h)
	h.tap("Next")
	h.waitText("Waiting for you in the browser…")
	h.ui(func() {
		for _, want := range []string{"1. Sign in to Lightspeed if asked.", "2. Choose your company, then click Grant Access.", "Seeing a Lightspeed error page (500)?", "Open the page again", "Copy link"} {
			if !h.has(want) {
				t.Errorf("the waiting screen does not say %q", want)
			}
		}
	})
	var raw string
	h.ui(func() { raw = h.shell.practice.server.Settings.RedirectURI })
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// TestDisconnectChosenThenEverything connects two practice companies, ticks one and
// disconnects the ticked ones: it asks first with the core's sentence (Keep keeps both), then
// only the ticked company is gone, from the window and from the core. Then More's Remove
// everything (the command line's disconnect --all) asks, and leaves no company and no
// settings, back at the Welcome.
func TestDisconnectChosenThenEverything(t *testing.T) {
	testenv.Need(t)
	errs := make(chan error, 1)
	opened := 0
	h := newHarness(t, deps{open: func(u string) error {
		opened++
		return consentOpener(opened-1, true, errs)(u)
	}})
	connectPractice(h, errs, "")
	h.tap("Done")
	h.waitText("Check all")
	h.tap("Connect another company")
	h.waitTextUnless(errs, "✓ Connected: ")
	h.tap("Done")
	var names []string
	h.waitFor("two companies", func() bool {
		d := h.shell.dash
		if d == nil || !d.isShown() || len(d.statuses) != 2 {
			return false
		}
		names = shownNames(d)
		return true
	})
	h.ui(func() { d := h.shell.dash; d.choose(d.statuses[d.shown[0]].ID, true) })
	h.tap("Disconnect chosen…")
	h.waitText(connections.DisconnectManyWarning(1))
	h.tap("Keep")
	h.ui(func() {
		if len(h.shell.dash.statuses) != 2 {
			t.Fatal("Keep disconnected a company")
		}
	})
	h.tap("Disconnect chosen…")
	h.waitText(connections.DisconnectManyWarning(1))
	h.tap("Disconnect")
	h.waitFor("the ticked company to go", func() bool {
		d := h.shell.dash
		return d != nil && len(d.statuses) == 1
	})
	h.ui(func() {
		d := h.shell.dash
		if got := shownNames(d); len(got) != 1 || got[0] != names[1] || len(d.chosen) != 0 {
			t.Fatalf("after disconnecting %q the list is %q, ticked %v", names[0], got, d.chosen)
		}
	})
	var core *connections.Core
	h.ui(func() { core = h.shell.core() })
	statuses, err := core.Statuses(context.Background())
	if err != nil || len(statuses) != 1 || statuses[0].Name != names[1] {
		t.Fatalf("the core keeps %+v, %v", statuses, err)
	}

	forget := func() {
		h.ui(func() {
			for _, it := range h.shell.dash.moreMenu().Items {
				if it.Label == "Remove everything from this computer…" {
					it.Action()
					return
				}
			}
			t.Fatal("More has no Remove everything")
		})
		h.waitText(connections.ForgetWarning)
	}
	forget()
	h.tap("Keep")
	h.ui(func() {
		if d := h.shell.dash; !d.isShown() || len(d.statuses) != 1 {
			t.Fatal("Keep removed everything")
		}
	})
	forget()
	h.tap("Remove everything")
	h.waitText(connections.Forgotten)
	h.waitText("Connect your Lightspeed company to your integration.")
	statuses, err = core.Statuses(context.Background())
	saved, serr := core.SavedSettings(context.Background())
	if err != nil || len(statuses) != 0 || saved.ClientSecret != "" {
		t.Fatalf("after Remove everything the core keeps %d companies (%v) and a secret %v (%v)", len(statuses), err, saved.ClientSecret != "", serr)
	}
}
