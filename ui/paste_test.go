package ui

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// pasteRedirect is a Redirect URI on the internet, which the app cannot catch. Nothing is
// ever sent there: the test pastes the address the practice consent answers with.
const pasteRedirect = "https://integration.example.com/callback"

// TestPasteFlowThroughTheWindow saves a Redirect URI the app cannot catch (the details screen
// says so as information, not as an error), and then, on the waiting screen, uses the paste
// field: wrong addresses are refused under the field while the attempt goes on waiting; the
// address the browser really ended on connects, with a desktop notification.
func TestPasteFlowThroughTheWindow(t *testing.T) {
	testenv.Need(t)
	authURLs := make(chan string, 4)
	h := newHarness(t, deps{open: func(u string) error { authURLs <- u; return nil }})
	toPracticeDetails(h)
	h.ui(func() {
		h.shell.practice.server.Server.AddRedirectURI(pasteRedirect)
		e := h.entryWith(h.shell.practice.server.Settings.RedirectURI)
		if e == nil {
			t.Fatal("no Redirect URI field holding the practice redirect")
		}
		e.SetText("")
		test.Type(e, pasteRedirect)
		if l := h.label("the app cannot catch it"); l == nil || l.Importance == widget.DangerImportance {
			t.Fatalf("the Redirect URI's line is missing or an error: %q", h.texts())
		}
	})
	h.tap("Next")
	h.waitText("Copy that page's address from the browser's address bar")
	authURL := receive(t, authURLs)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	landed, err := testenv.Consent(ctx, authURL, 0, true)
	if err != nil || !strings.HasPrefix(landed, pasteRedirect+"?") {
		t.Fatalf("consent: %v; landed on another address than the Redirect URI", err)
	}

	wrong := []struct{ name, pasted, says string }{
		{"another attempt's answer", withState(t, landed, "from-an-older-attempt"), "different or older connect attempt"},
		{"the sign-in page's own address", authURL, "sign-in page, not its answer"},
		{"not an address", "I clicked Grant Access", "doesn't look like the address"},
	}
	for _, w := range wrong {
		pasteAddress(h, w.pasted)
		h.waitText(w.says)
		h.ui(func() {
			if !h.has("Waiting for you in the browser…") || h.has("Couldn't connect") {
				t.Fatalf("%s: the attempt ended: %q", w.name, h.texts())
			}
		})
	}
	test.AssertNotificationSent(t, &fyne.Notification{Title: "Connected: Harbour Burgers Pty Ltd",
		Content: "Lightspeed Connect stored the connection in this computer's keychain."}, func() {
		pasteAddress(h, landed)
		h.waitText("✓ Connected: Harbour Burgers Pty Ltd")
	})
}

// pasteAddress pastes into the waiting screen's field and clicks Use this address.
func pasteAddress(h *harness, address string) {
	h.ui(func() {
		e := first(h.roots(), func(e *widget.Entry) bool { return strings.HasSuffix(e.PlaceHolder, "/callback?code=…") })
		if e == nil {
			h.t.Fatal("no paste field on the waiting screen")
		}
		e.SetText(address)
	})
	h.tap("Use this address")
}

// withState is address with its state replaced.
func withState(t *testing.T, address, state string) string {
	u, err := url.Parse(address)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String()
}

// receive waits up to 30 s for a value.
func receive[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(30 * time.Second):
		t.Fatal("gave up waiting")
		panic("unreachable")
	}
}
