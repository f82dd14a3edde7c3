package ui

import (
	"context"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestCopyAccessTokenClearsTheClipboard copies a company's access token, sees the notice, and
// sees the clipboard cleared after the wait, unless something else was copied meanwhile.
func TestCopyAccessTokenClearsTheClipboard(t *testing.T) {
	testenv.Need(t)
	before := clipboardClearAfter
	clipboardClearAfter = 300 * time.Millisecond
	t.Cleanup(func() { clipboardClearAfter = before })

	tv := testenv.NewVault(t)
	opts := connections.Options{Dir: tv.Dir, Service: tv.Service}
	connectThroughCore(t, opts)
	h := newHarness(t, deps{options: opts})
	core := h.shell.real
	ctx := context.Background()
	statuses, err := core.Statuses(ctx)
	if err != nil || len(statuses) != 1 {
		t.Fatalf("statuses %v, %v", statuses, err)
	}
	want, err := core.AccessToken(ctx, statuses[0].ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	clipboard := func() (s string) {
		h.ui(func() { s = h.app.Clipboard().Content() })
		return s
	}

	// Through the dashboard: the selected company's "Copy access token".
	h.ui(h.shell.start)
	h.waitText("Copy access token")
	h.tap("Copy access token")
	h.waitText("The access token for Harbour Burgers Pty Ltd is on the clipboard")
	h.waitText("clears it from the clipboard in a minute")
	if got := clipboard(); got != want.Value {
		t.Fatalf("the clipboard holds something else than the access token (%d characters)", len(got))
	}
	h.waitFor("the clipboard to be cleared", func() bool { return h.app.Clipboard().Content() == "" })

	// Something copied since is left alone.
	h.ui(func() { h.shell.copyAccessToken(core, statuses[0]) })
	h.waitFor("the token on the clipboard", func() bool { return h.app.Clipboard().Content() == want.Value })
	h.ui(func() { h.app.Clipboard().SetContent("the person's own text") })
	time.Sleep(3 * clipboardClearAfter)
	h.ui(func() {}) // let a pending clear run
	if got := clipboard(); got != "the person's own text" {
		t.Fatalf("the clipboard was cleared although the person copied something else: %q", got)
	}

	// A company that isn't there: its sentence, and nothing copied.
	h.ui(func() { h.shell.copyAccessToken(core, connections.CompanyStatus{ID: 999, Name: "Gone"}) })
	h.waitText("No company with ID 999")
	if got := clipboard(); got != "the person's own text" {
		t.Fatalf("clipboard changed by a failed copy")
	}
}
