package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestExportChooseNeverTouchesAFile: Choose… picks a folder and writes nothing, so a file
// with content survives Choose… then Cancel and Choose… then Choose; Export asks before
// replacing it and leaves it alone on "Keep it"; only Replace writes it. A symbolic link as
// the file is refused, and the file it points to is left as it was.
func TestExportChooseNeverTouchesAFile(t *testing.T) {
	testenv.Need(t)
	h := toDashboardWithACompany(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.json")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	intact := func(when string) {
		t.Helper()
		if got, err := os.ReadFile(path); err != nil || string(got) != "keep me" {
			t.Fatalf("%s the file holds %q (%v)", when, got, err)
		}
	}

	h.tap("Export…")
	h.waitText("Export tokens")
	setExportPath(h, path)
	h.tap("Choose…")
	h.waitText("Choose the folder for tokens.json")
	h.tap("Cancel") // the folder picker's, on top
	h.waitFor("the folder picker to close", func() bool { return !h.has("Choose the folder for") })
	intact("after Choose… and Cancel")
	h.tap("Choose…")
	h.waitText("Choose the folder for tokens.json")
	h.tap("Choose")
	h.waitFor("the folder picker to close", func() bool { return !h.has("Choose the folder for") })
	intact("after Choose… and Choose")
	h.ui(func() {
		if h.entryWith(path) == nil {
			t.Errorf("the File field no longer holds %s", path)
		}
	})

	h.tap("Export")
	h.waitText("Replace tokens.json?")
	h.tap("Keep it")
	h.waitFor("the question to close", func() bool { return !h.has("Replace tokens.json?") })
	intact("after Keep it")
	h.tap("Export")
	h.waitText("Replace tokens.json?")
	h.tap("Replace")
	h.waitText("Saved to " + path)
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), `"refresh_token"`) {
		t.Fatal("Replace did not write the export")
	}
	h.tap("OK")

	pointee, link := filepath.Join(dir, "notes.txt"), filepath.Join(dir, "link.env")
	if err := os.WriteFile(pointee, []byte("keep me too"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(pointee, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	h.tap("Export…")
	h.waitText("Export tokens")
	setExportPath(h, link)
	h.tap("Export")
	h.waitText("is a link to another file")
	h.ui(func() {
		if h.has("Replace link.env?") {
			t.Error("a link was offered for replacing")
		}
	})
	if got, _ := os.ReadFile(pointee); string(got) != "keep me too" {
		t.Fatalf("the linked file became %q", got)
	}
}

// TestExportFormatChoiceFollowsTheName: choosing Kubernetes Secret writes a manifest and
// turns the name's ending into .yaml.
func TestExportFormatChoiceFollowsTheName(t *testing.T) {
	testenv.Need(t)
	h := toDashboardWithACompany(t)
	path := filepath.Join(t.TempDir(), "tokens.json")
	h.tap("Export…")
	h.waitText("Export tokens")
	setExportPath(h, path)
	h.ui(func() {
		top := []fyne.CanvasObject{h.win.Canvas().Overlays().Top()}
		formats := first(top, func(r *widget.RadioGroup) bool { return true })
		if formats == nil {
			t.Fatal("no format choice in the export dialog")
		}
		formats.SetSelected("Kubernetes Secret")
	})
	want := strings.TrimSuffix(path, ".json") + ".yaml"
	h.waitFor("the name to end in .yaml", func() bool { return h.entryWith(want) != nil })
	h.tap("Export")
	h.waitText("Saved to " + want)
	if got, _ := os.ReadFile(want); !strings.Contains(string(got), "kind: Secret") {
		t.Fatalf("not a Secret manifest: %d bytes", len(got))
	}
}

// toDashboardWithACompany connects the practice server's first company through the window and
// returns on the dashboard.
func toDashboardWithACompany(t *testing.T) *harness {
	t.Helper()
	errs := make(chan error, 1)
	h := newHarness(t, deps{open: consentOpener(0, true, errs)})
	h.ui(h.shell.start)
	h.tap("Practice with a demo company")
	h.answerProduct("")
	h.waitText("Enter your integration's details")
	h.tap("Next")
	h.waitTextUnless(errs, "✓ Connected: Harbour Burgers Pty Ltd")
	h.tap("Done")
	h.waitText("Check all")
	return h
}
