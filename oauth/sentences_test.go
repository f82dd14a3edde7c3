package oauth

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestSentencesAreFaceNeutral reads every string literal in this package's code: the flow
// serves the window and the command line alike, so no sentence names a command, a flag, a key
// or a button, of this app or of the provider's page.
func TestSentencesAreFaceNeutral(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	banned := regexp.MustCompile(`(?i:\bclick|\bpress\b|\bbutton|lightspeed-connect |(^|\s)--[a-z]|\bctrl\+|\benter key\b|\bmenu\b)|Grant Access`)
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !strings.Contains(s, " ") {
				return true
			}
			checked++
			if banned.MatchString(s) {
				t.Errorf("%s: %q names a command or a button", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
	if checked < 30 {
		t.Fatalf("only %d sentences found; the scan is broken", checked)
	}
}
