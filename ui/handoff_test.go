package ui

import (
	"context"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestExportDialogHandsOffUnlessKeepRefreshing: the export dialog explains the hand-off; with
// "Keep refreshing them in this app too" ticked it warns and the company is not handed off;
// without it the export hands the company off (the practice server's rotation is not known
// yet), and its status says so.
func TestExportDialogHandsOffUnlessKeepRefreshing(t *testing.T) {
	testenv.Need(t)
	h := toDashboardWithACompany(t)
	dir := t.TempDir()
	handedOff := func() *connections.CompanyStatus {
		t.Helper()
		var core *connections.Core
		h.ui(func() { core = h.shell.core() })
		statuses, err := core.Statuses(context.Background())
		if err != nil || len(statuses) != 1 {
			t.Fatalf("statuses %v, %v", statuses, err)
		}
		return &statuses[0]
	}

	for _, keep := range []bool{true, false} {
		path := filepath.Join(dir, "keep.json")
		if !keep {
			path = filepath.Join(dir, "hand-off.json")
		}
		h.tap("Export…")
		h.waitText("Export tokens")
		h.waitText(connections.HandOffExplanation)
		setExportPath(h, path)
		if keep {
			h.ui(func() {
				top := []fyne.CanvasObject{h.win.Canvas().Overlays().Top()}
				c := first(top, func(c *tick) bool { return c.Text == "Keep refreshing them in this app too" })
				if c == nil {
					t.Fatal("no keep-refreshing choice in the export dialog")
				}
				test.Tap(c)
			})
			h.waitText(connections.KeepOwnershipWarning)
		}
		h.tap("Export")
		h.waitText("Saved to " + path)
		h.tap("OK")
		cs := handedOff()
		if keep && (cs.HandedOffAt != nil || cs.Status == connections.StatusHandedOff) {
			t.Fatalf("kept refreshing, yet handed off: %+v", cs)
		}
		if !keep && (cs.HandedOffTo != path || cs.Status != connections.StatusHandedOff) {
			t.Fatalf("not handed off to %s: %+v", path, cs)
		}
	}
}
