package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// TestExportK8sSecretAndLinks: --format k8s-secret and a .yaml name both write a Kubernetes
// Secret; a symbolic link is refused even with --force, and its target stays as it was.
func TestExportK8sSecretAndLinks(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	if r := f.connect(t, 0, f.secret(), f.settingsFlags()...); r.code != 0 {
		t.Fatalf("connect: exit %d\n%s", r.code, r.stderr)
	}
	dir := t.TempDir()
	for _, args := range [][]string{{"--out", filepath.Join(dir, "a.txt"), "--format", "k8s-secret"}, {"--out", filepath.Join(dir, "b.yml")}} {
		r := f.run(t, "", append([]string{"export"}, args...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "keep it private") {
			t.Fatalf("export %q: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		data, _ := os.ReadFile(args[1])
		if !strings.Contains(string(data), "kind: Secret") || !strings.Contains(string(data), "LIGHTSPEED_REFRESH_TOKEN:") {
			t.Errorf("%s is not a Secret manifest", args[1])
		}
	}
	if r := f.run(t, "", "export", "--help"); !strings.Contains(r.stderr, "k8s-secret") {
		t.Errorf("export --help does not offer k8s-secret: %q", r.stderr)
	}

	pointee, link := filepath.Join(dir, "notes.txt"), filepath.Join(dir, "tokens.env")
	if err := os.WriteFile(pointee, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(pointee, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if r := f.run(t, "", "export", "--out", link, "--force"); r.code == 0 || !strings.Contains(r.stderr, "link") {
		t.Errorf("export through a link: exit %d, %q", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(pointee); string(got) != "keep me" {
		t.Fatalf("the linked file became %q", got)
	}
}
