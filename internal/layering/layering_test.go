package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// pkg is what `go list -json` says of one package.
type pkg struct {
	ImportPath   string
	Dir          string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// imports is every import of the package and of its tests.
func (p pkg) imports() []string {
	all := slices.Concat(p.Imports, p.TestImports, p.XTestImports)
	slices.Sort(all)
	return slices.Compact(all)
}

// A rule is one arrow the architecture forbids. from and to are paths inside the module ("" is
// the root package, "cli" is cli/ and everything under it); external imports are named by
// their full path in to, such as "fyne.io/".
type rule struct {
	why  string
	from func(rel string) bool
	to   func(rel string) bool
}

// The parts of the app, by their folder.
var (
	faces = []string{"cli", "ui"}
	parts = []string{"oauth", "vault", "lightspeed", "connections", "export", "cli", "ui"}
)

// faceRule: a face imports, from the app, only connections, internal/, assets and itself.
func faceRule(face string) rule {
	return rule{"the faces import only connections, internal/ and assets from the app",
		func(rel string) bool { return under(rel, face) },
		func(to string) bool {
			return !strings.HasPrefix(to, "ext:") && !under(to, "connections", "internal", "assets", face)
		}}
}

func under(rel string, roots ...string) bool {
	for _, r := range roots {
		if rel == r || strings.HasPrefix(rel, r+"/") {
			return true
		}
	}
	return false
}

// rules are the layering of docs/architecture.md. An import's "rel" is its path inside the
// module, or "ext:<path>" for anything outside it (standard library included).
var rules = []rule{
	faceRule("cli"),
	faceRule("ui"),
	{"connections never imports a face",
		func(rel string) bool { return under(rel, "connections") },
		func(to string) bool { return under(to, faces...) }},
	{"oauth and vault never import each other",
		func(rel string) bool { return under(rel, "oauth") },
		func(to string) bool { return under(to, "vault") }},
	{"oauth and vault never import each other",
		func(rel string) bool { return under(rel, "vault") },
		func(to string) bool { return under(to, "oauth") }},
	{"lightspeed/practice imports no other part",
		func(rel string) bool { return under(rel, "lightspeed/practice") },
		func(to string) bool {
			return !strings.HasPrefix(to, "ext:") && under(to, parts...) && !under(to, "lightspeed/practice")
		}},
	{"internal/testenv/models imports nothing of the app: the models are written apart from the practice server and the code they check",
		func(rel string) bool { return under(rel, "internal/testenv/models") },
		func(to string) bool { return !strings.HasPrefix(to, "ext:") && !under(to, "internal/testenv/models") }},
	{"the parts below connections never import connections or a face",
		func(rel string) bool { return under(rel, "oauth", "vault", "lightspeed", "export") },
		func(to string) bool { return under(to, "connections", "cli", "ui") }},
	{"Fyne appears only in ui/, main and internal/bench",
		func(rel string) bool { return !(rel == "" || under(rel, "ui", "internal/bench")) },
		func(to string) bool { return strings.HasPrefix(to, "ext:fyne.io/") }},
}

// violations lists every forbidden arrow among pkgs of module.
func violations(module string, pkgs []pkg) []string {
	rel := func(path string) string {
		switch {
		case path == module:
			return ""
		case strings.HasPrefix(path, module+"/"):
			return strings.TrimPrefix(path, module+"/")
		default:
			return "ext:" + path
		}
	}
	var out []string
	for _, p := range pkgs {
		from := rel(p.ImportPath)
		for _, imp := range p.imports() {
			to := rel(imp)
			for _, r := range rules {
				if r.from(from) && r.to(to) {
					out = append(out, fmt.Sprintf("%s imports %s: %s", p.ImportPath, imp, r.why))
				}
			}
		}
	}
	return out
}

// goList runs `go list -json` on every package of the module, with the build tag of the app.
func goList(t *testing.T) (string, []pkg) {
	t.Helper()
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Path}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	dir, module, _ := strings.Cut(strings.TrimSpace(string(root)), " ")
	cmd := exec.Command("go", "list", "-tags", "migrated_fynedo", "-json", "./...")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, &stderr)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages in %s", len(pkgs), dir)
	}
	return module, pkgs
}

// TestLayering fails on any import the architecture forbids, in the code or in its tests.
func TestLayering(t *testing.T) {
	module, pkgs := goList(t)
	for _, v := range violations(module, pkgs) {
		t.Error(v)
	}
}

// TestEachRuleCanFail breaks every rule once in a made-up import graph: the rules must see it.
func TestEachRuleCanFail(t *testing.T) {
	const m = "example.com/app"
	cases := []struct {
		from, to string
	}{
		{m + "/cli", m + "/vault"},
		{m + "/ui", m + "/oauth"},
		{m + "/ui", m + "/lightspeed/practice"},
		{m + "/cli", m + "/export"},
		{m + "/ui", m + "/cli"},
		{m + "/connections", m + "/ui"},
		{m + "/oauth", m + "/vault"},
		{m + "/vault", m + "/oauth"},
		{m + "/lightspeed/practice", m + "/lightspeed"},
		{m + "/lightspeed/practice", m + "/vault"},
		{m + "/internal/testenv/models", m + "/lightspeed/practice"},
		{m + "/internal/testenv/models", m + "/internal/testenv"},
		{m + "/vault", m + "/connections"},
		{m + "/connections", "fyne.io/fyne/v2"},
		{m + "/cli", "fyne.io/fyne/v2/widget"},
	}
	for _, c := range cases {
		if v := violations(m, []pkg{{ImportPath: c.from, XTestImports: []string{c.to}}}); len(v) == 0 {
			t.Errorf("%s importing %s broke no rule", c.from, c.to)
		}
	}
	allowed := []struct{ from, to string }{
		{m + "/cli", m + "/connections"},
		{m + "/ui", m + "/internal/testenv"},
		{m + "/ui", m + "/assets"},
		{m + "/ui", "fyne.io/fyne/v2"},
		{m, "fyne.io/fyne/v2/app"},
		{m + "/internal/bench/barewindow", "fyne.io/fyne/v2/app"},
		{m + "/connections", m + "/vault"},
		{m + "/internal/testenv", m + "/lightspeed/practice"},
		{m + "/lightspeed/practice", "net/http"},
		{m + "/internal/testenv/models", "net/http/httptest"},
		{m + "/connections", m + "/internal/testenv/models"},
	}
	for _, c := range allowed {
		if v := violations(m, []pkg{{ImportPath: c.from, Imports: []string{c.to}}}); len(v) != 0 {
			t.Errorf("an allowed import is refused: %v", v)
		}
	}
}
