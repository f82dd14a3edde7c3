package layering

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
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
	root := moduleRoot(t)
	checked := 0
	for _, path := range goFiles(t, root, core...) {
		rel, _ := filepath.Rel(root, path)
		for _, s := range sentencesIn(t, path) {
			checked++
			if commandWords.MatchString(s.text) {
				t.Errorf("%s:%d names a command or a part of a face: %q", rel, s.line, s.text)
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

// faces are the folders that render the core's words in their own idiom.
var faceDirs = []string{"cli", "ui"}

// sharedRun is how many words in a row a face may share with a sentence of the core before
// it counts as saying that sentence again in its own copy.
const sharedRun = 7

// TestFacesDoNotRewordTheCore reads every string in the faces' code (their tests aside) and
// fails on one that shares sharedRun words in a row with a sentence of the core: a sentence
// the core already has is shown from the core, never copied (and then reworded) into a face.
func TestFacesDoNotRewordTheCore(t *testing.T) {
	root := moduleRoot(t)
	said := map[string]string{} // a run of words → where the core says it
	for _, path := range goFiles(t, root, core...) {
		rel, _ := filepath.Rel(root, path)
		for _, s := range sentencesIn(t, path) {
			for _, run := range wordRuns(s.text) {
				if _, ok := said[run]; !ok {
					said[run] = fmt.Sprintf("%s:%d", rel, s.line)
				}
			}
		}
	}
	checked := 0
	for _, path := range goFiles(t, root, faceDirs...) {
		rel, _ := filepath.Rel(root, path)
		for _, s := range sentencesIn(t, path) {
			checked++
			for _, run := range wordRuns(s.text) {
				if where, ok := said[run]; ok {
					t.Errorf("%s:%d says %q, which the core already says (%s): show the core's sentence instead", rel, s.line, run, where)
					break
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d strings found in the faces; is the list of folders right?", checked)
	}
}

// TestRewordingIsCaught: a face's copy of a core sentence, even cut and reworded around it, is
// caught; a face's own words and the core's short phrases are not.
func TestRewordingIsCaught(t *testing.T) {
	core := wordRuns("Lightspeed no longer accepts this connection. Reconnect to restore it; your other companies are unaffected.")
	has := func(face string) bool {
		for _, run := range wordRuns(face) {
			if slices.Contains(core, run) {
				return true
			}
		}
		return false
	}
	if !has("Harbour Burgers: Reconnect to restore it; your other companies are unaffected.") {
		t.Error("a copied tail is not caught")
	}
	if !has("LIGHTSPEED no longer accepts this connection — Reconnect, please") {
		t.Error("a copied head with other punctuation and case is not caught")
	}
	if has("Keep tokens fresh in the background? Your other companies stay as they are.") {
		t.Error("a face's own words are caught")
	}
}

// wordRuns are the runs of sharedRun words in a row in s, lower case, without punctuation.
func wordRuns(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	var runs []string
	for i := 0; i+sharedRun <= len(words); i++ {
		runs = append(runs, strings.Join(words[i:i+sharedRun], " "))
	}
	return runs
}

// moduleRoot is the module's folder.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// goFiles are the code files (not tests) in dirs and one level below, leaving out the test kit,
// this package and the benchmarks' helpers.
func goFiles(t *testing.T, root string, dirs ...string) []string {
	t.Helper()
	var out []string
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(root, dir, "*.go"))
		more, _ := filepath.Glob(filepath.Join(root, dir, "*", "*.go"))
		for _, path := range append(files, more...) {
			rel, _ := filepath.Rel(root, path)
			if strings.HasSuffix(path, "_test.go") || strings.HasPrefix(rel, filepath.Join("internal", "testenv")) ||
				strings.HasPrefix(rel, filepath.Join("internal", "layering")) || strings.HasPrefix(rel, filepath.Join("internal", "bench")) {
				continue
			}
			out = append(out, path)
		}
	}
	return out
}
