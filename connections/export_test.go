package connections

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// TestExportWarnsAboutInexactDotenvValues: a company whose name no .env quoting keeps exact
// for every reader is exported anyway, with one sentence that names the keys (never a value),
// and the JSON and Kubernetes Secret exports of it carry no warning.
func TestExportWarnsAboutInexactDotenvValues(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	ctx := context.Background()
	const secretName = "Burgers ${HOME}"
	if err := f.vault.SaveCompany(ctx, vault.Company{ID: 4242, Name: secretName, ConnectedAt: time.Now()},
		vault.Tokens{AccessToken: "access-tok", RefreshToken: "refresh-tok", Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, format := range []Format{FormatDotenv, FormatJSON, FormatK8sSecret} {
		path := filepath.Join(dir, "export"+format.Ext())
		got, err := f.core.Export(ctx, ExportRequest{Path: path, Format: format})
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if format != FormatDotenv {
			if len(got.Warnings) != 0 {
				t.Errorf("%s: warnings %q", format, got.Warnings)
			}
			continue
		}
		if len(got.Warnings) != 1 {
			t.Fatalf("warnings %q, want one", got.Warnings)
		}
		w := got.Warnings[0]
		if !strings.Contains(w, "LIGHTSPEED_COMPANY_NAME") || !strings.Contains(w, "LIGHTSPEED_1_COMPANY_NAME") ||
			strings.Contains(w, "${HOME}") || strings.Contains(w, "tok") {
			t.Errorf("warning %q should name both keys and no value", w)
		}
		if data, _ := os.ReadFile(path); !strings.Contains(string(data), "LIGHTSPEED_ACCESS_TOKEN='access-tok'") {
			t.Errorf("the .env file was not written in full")
		}
	}
}

// TestExportRefusesALink: the core passes the export's refusal of a symbolic link on, and
// what the link points to stays as it was.
func TestExportRefusesALink(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	if _, err := f.connect(t, 0, ConnectOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pointee, link := filepath.Join(dir, "notes.txt"), filepath.Join(dir, "export.json")
	if err := os.WriteFile(pointee, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(pointee, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	_, err := f.core.Export(context.Background(), ExportRequest{Path: link, Force: true})
	if !problem.Is(err, problem.KindStorage) || !strings.Contains(problem.Summary(err), "link") {
		t.Fatalf("export through a link: %v", err)
	}
	if got, _ := os.ReadFile(pointee); string(got) != "keep me" {
		t.Fatalf("the linked file became %q", got)
	}
}
