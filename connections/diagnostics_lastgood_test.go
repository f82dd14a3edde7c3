package connections

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// TestDiagnosticsReportTheLastGoodCopy: the report says where the last-good copy is and when
// it was saved, that there is none yet before the first save, and why a damaged one can't be
// used.
func TestDiagnosticsReportTheLastGoodCopy(t *testing.T) {
	tv := testenv.NewVault(t)
	core, err := Open(Options{Dir: tv.Dir, Service: tv.Service, Keyring: tv.Keyring})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	path := filepath.Join(tv.Dir, vault.LastGoodFileName)
	if text := core.Diagnostics(ctx, "1").Text(); !strings.Contains(text, "Last-good copy: "+path+" (none yet)") {
		t.Fatalf("before any save:\n%s", text)
	}
	seedCompany(t, core.vault, 1, "a", "r")
	d := core.Diagnostics(ctx, "1")
	if d.LastGoodSavedAt == nil || d.LastGoodProblem != "" || !strings.Contains(d.Text(), "Last-good copy: "+path+" (saved ") {
		t.Fatalf("after a save: %+v\n%s", d, d.Text())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte("Manly"), []byte("Manlx"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	d = core.Diagnostics(ctx, "1")
	if d.LastGoodSavedAt != nil || !strings.Contains(d.LastGoodProblem, "checksum") {
		t.Fatalf("a damaged copy: %+v\n%s", d, d.Text())
	}
}
