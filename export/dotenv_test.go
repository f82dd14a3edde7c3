package export

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/joho/godotenv"
)

// The oracles: godotenv, and python-dotenv as Debian ships it (python3-dotenv, which
// scripts/deps installs) run by the system's Python with its default settings.
const systemPython = "/usr/bin/python3"

var pythonChecks sync.Map // module name → error from importing it

// pythonModule reports why the system Python can't import module, or nil when it can.
func pythonModule(module string) error {
	v, ok := pythonChecks.Load(module)
	if !ok {
		out, err := exec.Command(systemPython, "-c", "import "+module).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%s cannot import %s: %v %s", systemPython, module, err, strings.TrimSpace(string(out)))
		}
		pythonChecks.Store(module, err)
		v = err
	}
	err, _ := v.(error)
	return err
}

// needPython skips the test when the system Python or python-dotenv is missing, except inside
// scripts/test-env (make test), where scripts/deps has installed it and its absence fails.
func needPython(t testing.TB) {
	t.Helper()
	if err := pythonModule("dotenv"); err != nil {
		if os.Getenv("LSC_TEST_ENV_INNER") == "1" {
			t.Fatalf("the python-dotenv oracle is missing (%v); run `make deps`, which installs python3-dotenv", err)
		}
		t.Skipf("skipping the python-dotenv oracle: %v (install python3-dotenv, or run `make test`)", err)
	}
}

// pythonDotenv reads each file with python-dotenv's dotenv_values, in one Python process. A
// file it cannot read at all comes back as nil.
func pythonDotenv(t testing.TB, paths ...string) []map[string]*string {
	t.Helper()
	needPython(t)
	const script = `
import json, sys
from dotenv import dotenv_values
out = []
for path in sys.argv[1:]:
    try:
        out.append(dotenv_values(path))
    except Exception:
        out.append(None)
json.dump(out, sys.stdout)
`
	cmd := exec.Command(systemPython, append([]string{"-c", script}, paths...)...)
	cmd.Stderr = nil // python-dotenv logs lines it cannot parse; the values say enough
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python-dotenv: %v", err)
	}
	var got []map[string]*string
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(paths) {
		t.Fatalf("python-dotenv's answer does not decode: %v", err)
	}
	return got
}

// godotenvRead reads a file with godotenv.
func godotenvRead(t testing.TB, path string) map[string]string {
	t.Helper()
	env, err := godotenv.Read(path)
	if err != nil {
		msg := err.Error() // godotenv quotes the file from the fault on; keep the start
		if len(msg) > 120 {
			msg = msg[:120] + "…"
		}
		t.Fatalf("godotenv cannot read %s: %s", path, msg)
	}
	return env
}

// readDotenv reads an export with both readers and fails unless they read the same keys and
// values.
func readDotenv(t *testing.T, path string) map[string]string {
	t.Helper()
	env := godotenvRead(t, path)
	py := pythonDotenv(t, path)[0]
	if py == nil {
		t.Fatalf("python-dotenv cannot read %s", path)
	}
	if len(py) != len(env) {
		t.Errorf("godotenv reads %d keys, python-dotenv %d", len(env), len(py))
	}
	for k, v := range env {
		if p := py[k]; p == nil || *p != v {
			t.Errorf("%s: godotenv reads %q, python-dotenv %s", k, v, show(p))
		}
	}
	return env
}

func show(p *string) string {
	if p == nil {
		return "nothing"
	}
	return fmt.Sprintf("%q", *p)
}

// The values issue 14 names, and their neighbours. exact is whether godotenv and python-dotenv
// can both be made to read the value back as it is.
var dotenvCases = []struct {
	value string
	exact bool
}{
	{"$HOME", true}, {"Joe's $HOME", false}, {"${HOME}", false}, {"Burgers ${HOME} & Co", false},
	{"${HOME:-x}", false}, {"${}", false}, {"$", true}, {"$(id)", true}, {"$ 5", true}, {"it's $5", false},
	{"Joe's", true}, {"'", true}, {"'quoted'", true}, {`"`, true}, {`say "hi"`, true}, {`Joe's "Burgers"`, true}, {`Joe's\`, true}, {"Joe's Burgers Pty Ltd", true},
	{`Joe's "A" # "B"`, false}, {`\`, true}, {`back\slash`, true}, {`double\\backslash`, true}, {`trailing\`, true},
	{`it's \$HOME`, false}, {`\$HOME`, true}, {`\n`, true}, {"`id`", true}, {"\\`", true}, {"# hash", true},
	{"a #b", true}, {"a#b", true}, {"line\nbreak", true}, {"line\nbreak $HOME", true}, {"it's\non two lines", true},
	{"cr\r", true}, {"crlf\r\n", true}, {"it's\r$HOME", false}, {"Café 東京 🍔 Ünïcødé", true}, {"\u2028sep\u0085", true},
	{"", true}, {" padded ", true}, {"\t", true}, {"x=y", true}, {"tab\there", true}, {"ctrl\x01\x1f", true},
}

// TestDotenvReadersAgree writes each value to a .env file and reads it with godotenv and
// python-dotenv: a value said to be exact reads back as it is in both; one said not to be is
// read wrongly by one of them however it is written (so the warning is never raised for
// nothing), and godotenv reads it exactly whenever some way lets it.
func TestDotenvReadersAgree(t *testing.T) {
	values := make([]string, len(dotenvCases))
	for i, c := range dotenvCases {
		values[i] = c.value
		if _, exact := dotenvValue(c.value); exact != c.exact {
			t.Errorf("dotenvValue(%q) exact = %t, want %t", c.value, exact, c.exact)
		}
	}
	checkDotenvReaders(t, values)
}

// TestDotenvReadersAgreeOnManyValues does the same for thousands of values made from the
// pieces that matter to the readers, in one Python run.
func TestDotenvReadersAgreeOnManyValues(t *testing.T) {
	pieces := []string{"'", `"`, `\`, "$", "{", "}", "(", ":-", "HOME", "x", " ", "#", "\n", "\r", "\t", "`", "é", "=", "\x1c", "\u00a0"}
	r := rand.New(rand.NewPCG(14, 9))
	values := make([]string, 0, 3000)
	for range cap(values) {
		var b strings.Builder
		for range 1 + r.IntN(6) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		values = append(values, b.String())
	}
	checkDotenvReaders(t, values)
}

// checkDotenvReaders is the oracle check behind the two tests above and the fuzz target's
// seed corpus.
func checkDotenvReaders(t *testing.T, values []string) {
	t.Helper()
	dir := t.TempDir()
	var file strings.Builder
	file.WriteString("# values\n")
	for i, v := range values {
		w, _ := dotenvValue(v)
		fmt.Fprintf(&file, "K_%d=%s\n", i, w)
	}
	all := filepath.Join(dir, "all.env")
	if err := os.WriteFile(all, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	// Every way of writing each inexact value, one file each (a broken quote may swallow the
	// lines after it).
	paths := []string{all}
	type alt struct {
		index int
		form  dotenvForm
	}
	var alts []alt
	for i, v := range values {
		if _, exact := dotenvValue(v); exact {
			continue
		}
		for _, f := range dotenvForms {
			p := filepath.Join(dir, fmt.Sprintf("alt-%d-%d.env", i, f))
			if err := os.WriteFile(p, []byte("K="+f.write(v)+"\nAFTER='after'\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			paths, alts = append(paths, p), append(alts, alt{i, f})
		}
	}
	gAll := godotenvRead(t, all)
	for i, v := range values {
		_, exact := dotenvValue(v)
		gExact := utf8.ValidString(v) && slicesAny(godotenvForms, func(f dotenvForm) bool { return f.godotenvExact(v) })
		if got := gAll[fmt.Sprintf("K_%d", i)]; (exact || gExact) && got != v {
			t.Errorf("godotenv reads %q as %q (written %s)", v, got, first(dotenvValue(v)))
		}
	}
	py := pythonDotenv(t, paths...) // skips here where python-dotenv is missing, after godotenv's checks
	if py[0] == nil {
		t.Fatal("python-dotenv cannot read the file")
	}
	for i, v := range values {
		key := fmt.Sprintf("K_%d", i)
		_, exact := dotenvValue(v)
		if got := py[0][key]; exact && (got == nil || *got != v) {
			t.Errorf("python-dotenv reads %q as %s (written %s)", v, show(got), first(dotenvValue(v)))
		}
	}
	misread := map[int]int{} // value index → how many of its forms some reader misreads
	for n, a := range alts {
		v, path := values[a.index], paths[n+1]
		g, gerr := godotenv.Read(path)
		p := py[n+1]
		gOK := gerr == nil && g["K"] == v && g["AFTER"] == "after"
		pOK := p != nil && p["K"] != nil && *p["K"] == v && p["AFTER"] != nil && *p["AFTER"] == "after"
		if !gOK || !pOK {
			misread[a.index]++
		}
	}
	for i, v := range values {
		if _, exact := dotenvValue(v); !exact && misread[i] != len(dotenvForms) {
			t.Errorf("%q is said not to be exact, yet %d of %d ways of writing it read back exactly in both", v,
				len(dotenvForms)-misread[i], len(dotenvForms))
		}
	}
}

func first[A, B any](a A, _ B) A { return a }

func slicesAny[T any](s []T, f func(T) bool) bool {
	for _, x := range s {
		if f(x) {
			return true
		}
	}
	return false
}

// TestInexactNamesTheKeys: the export says which keys can't be written for every reader.
func TestInexactNamesTheKeys(t *testing.T) {
	doc := sampleDoc(1, false)
	doc.Companies[0].Name = "Burgers ${HOME}"
	doc.Companies[0].Sites[1].Name = "Joe's $HOME"
	want := []string{"LIGHTSPEED_1_COMPANY_NAME", "LIGHTSPEED_1_SITE_2_NAME", "LIGHTSPEED_COMPANY_NAME", "LIGHTSPEED_SITE_2_NAME"}
	if got := Inexact(FormatDotenv, doc); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Inexact = %q, want %q", got, want)
	}
	for _, f := range []Format{FormatJSON, FormatK8sSecret} {
		if got := Inexact(f, doc); len(got) != 0 {
			t.Errorf("%s: Inexact = %q, want none", f, got)
		}
	}
	if got := Inexact(FormatDotenv, sampleDoc(2, true)); len(got) != 0 {
		t.Errorf("the sample export has inexact keys %q", got)
	}
}
