package layering

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// commandWords are what only a face may say: the command line's commands and flags, and the
// window's screens and buttons.
var commandWords = regexp.MustCompile(`lightspeed-connect [a-z]|(^|\s)--[a-z]|[Ii]ntegration settings|\b(button|screen|window's)\b`)

// The core: every folder whose sentences both faces show. The test kit and this package are
// for tests only.
var core = []string{"connections", "oauth", "lightspeed", "vault", "export", "internal"}

// TestCoreSentencesNameNoCommand reads every string in the core's code (its tests aside) and
// fails on one that names a command, a flag, a screen or a button of the app: the core says
// what happened, and the faces render the fix in their own idiom (see docs/ux.md).
func TestCoreSentencesNameNoCommand(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := strings.TrimSpace(string(out))
	checked := 0
	for _, dir := range core {
		files, _ := filepath.Glob(filepath.Join(root, dir, "*.go"))
		more, _ := filepath.Glob(filepath.Join(root, dir, "*", "*.go"))
		for _, path := range append(files, more...) {
			rel, _ := filepath.Rel(root, path)
			if strings.HasSuffix(path, "_test.go") || strings.HasPrefix(rel, filepath.Join("internal", "testenv")) ||
				strings.HasPrefix(rel, filepath.Join("internal", "layering")) || strings.HasPrefix(rel, filepath.Join("internal", "bench")) {
				continue
			}
			for _, s := range sentencesIn(t, path) {
				checked++
				if commandWords.MatchString(s.text) {
					t.Errorf("%s:%d names a command or a part of a face: %q", rel, s.line, s.text)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d strings found in the core; is the list of folders right?", checked)
	}
}

type sentence struct {
	text string
	line int
}

// sentencesIn returns the string literals of a Go file that read like words for people
// (a capital letter, a space), leaving out struct tags and HTML.
func sentencesIn(t *testing.T, path string) []sentence {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var out []sentence
	ast.Inspect(f, func(n ast.Node) bool {
		if field, ok := n.(*ast.Field); ok && field.Tag != nil {
			field.Tag = nil // a struct tag is not a sentence
		}
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || !strings.Contains(s, " ") || strings.Contains(s, "<") {
			return true
		}
		out = append(out, sentence{s, fset.Position(lit.Pos()).Line})
		return true
	})
	return out
}

// TestCommandWordsCanFail: the pattern catches what it is meant to, and passes plain words.
func TestCommandWordsCanFail(t *testing.T) {
	for _, bad := range []string{
		`No company with ID 7 is connected. Run "lightspeed-connect status" to see them.`,
		"Enter it again in the integration settings.",
		"Add --force to replace it.",
		"Click the Reconnect button.",
	} {
		if !commandWords.MatchString(bad) {
			t.Errorf("not caught: %q", bad)
		}
	}
	for _, good := range []string{
		"Lightspeed no longer accepts this connection. Reconnect to restore it; your other companies are unaffected.",
		"Access wasn't granted in Lightspeed. If that was a mistake, connect again and click Grant Access.",
		"Copy them again from the integration's settings.",
	} {
		if commandWords.MatchString(good) {
			t.Errorf("caught by mistake: %q", good)
		}
	}
}
