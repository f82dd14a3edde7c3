package export

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/joho/godotenv"
	"go.yaml.in/yaml/v3"
)

// dotenvSeeds are FuzzDotenvValue's seed corpus; TestDotenvSeedsWithPython reads them with
// python-dotenv too (one Python run for all, as spawning Python per input is too slow).
var dotenvSeeds = []string{
	"", "plain", `a"b\c$d` + "`e`", "new\nline\r", `\n`, "$(rm -rf /)", "é\x00\xff", "${HOME}", "$HOME",
	"Joe's ${HOME}", `Joe's "Burgers"`, `trailing\`, `ends "quoted"`, "it's\r\n$X", " # not a comment", "\x1c#",
}

// FuzzDotenvValue: the oracle is godotenv. A value said to be exact reads back as it is from a
// file with lines before and after it (so a quote that runs on is caught), and so does an
// inexact one whenever some way of writing it lets godotenv read it exactly.
func FuzzDotenvValue(f *testing.F) {
	for _, seed := range dotenvSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		written, exact := dotenvValue(s)
		file := "BEFORE='before'\nK=" + written + "\nAFTER='after'\n"
		env, err := godotenv.Unmarshal(file)
		if err != nil {
			t.Fatalf("godotenv cannot read %q: %v", file, err)
		}
		if env["BEFORE"] != "before" || env["AFTER"] != "after" || len(env) != 3 {
			t.Fatalf("the value %q spills over its neighbours: %q", written, env)
		}
		gExact := utf8.ValidString(s) && slicesAny(godotenvForms, func(f dotenvForm) bool { return f.godotenvExact(s) })
		if (exact || gExact) && env["K"] != s {
			t.Fatalf("%q written as %s reads back as %q", s, written, env["K"])
		}
		if exact && strings.Contains(written, "\n") && !strings.Contains(s, "\n") {
			t.Fatalf("%q spans lines: %s", s, written)
		}
	})
}

// TestDotenvSeedsWithPython checks FuzzDotenvValue's seeds and saved inputs against both
// readers.
func TestDotenvSeedsWithPython(t *testing.T) {
	values := append([]string(nil), dotenvSeeds...)
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDotenvValue", "*"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := corpusString(data); ok {
			values = append(values, v)
		}
	}
	checkDotenvReaders(t, values)
}

// corpusString reads a one-string file of the Go fuzzing corpus.
func corpusString(data []byte) (string, bool) {
	lines := strings.SplitN(strings.TrimSpace(string(data)), "\n", 2)
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "string(") {
		return "", false
	}
	var s string
	// The corpus writes Go string literals; JSON reads the common ones.
	if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimPrefix(lines[1], "string("), ")")), &s); err != nil {
		return "", false
	}
	return s, true
}

// FuzzWriteExport: whatever the names and tokens hold, an export file is written whole with
// mode 0600, and real readers read the same values back: encoding/json for JSON, godotenv for
// dotenv (where the value is exact), a YAML parser for the Kubernetes Secret.
func FuzzWriteExport(f *testing.F) {
	f.Add("Harbour Burgers Pty Ltd", "Parramatta", "access", "refresh", "secret", int64(31001))
	f.Add(tricky, "=;#\x00", "a\"b", "\\", "$x`y`", int64(-1))
	f.Add("Joe's ${HOME}", "it's $HOME", "a'b\"", "#", "\r\n", int64(7))
	f.Add("", "", "", "", "", int64(0))
	f.Fuzz(func(t *testing.T, name, site, access, refresh, secret string, id int64) {
		doc := Doc{ClientID: "cid", ClientSecret: secret, TokenURL: "https://t", APIBaseURL: "https://a",
			Companies: []Company{{ID: id, Name: name, Sites: []Site{{ID: 7, Name: site}},
				AccessToken: access, RefreshToken: refresh}}}
		want := [5]string{name, site, access, refresh, secret}
		dir := t.TempDir()
		for _, format := range []Format{FormatJSON, FormatDotenv, FormatK8sSecret} {
			path := filepath.Join(dir, "export."+string(format))
			if err := Write(path, format, doc, false); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			info, err := os.Stat(path)
			if err != nil || info.Mode().Perm() != 0o600 {
				t.Fatalf("%s: mode %v, %v", format, info.Mode(), err)
			}
			data, _ := os.ReadFile(path)
			got := readBack(t, format, data)
			inexact := map[string]bool{}
			for _, k := range Inexact(format, doc) {
				inexact[k] = true
			}
			keys := [5]string{"LIGHTSPEED_COMPANY_NAME", "LIGHTSPEED_SITE_1_NAME", "LIGHTSPEED_ACCESS_TOKEN", "LIGHTSPEED_REFRESH_TOKEN", "LIGHTSPEED_CLIENT_SECRET"}
			for i := range want {
				w := want[i]
				if format != FormatDotenv {
					w = validUTF8(w) // JSON and YAML hold only UTF-8
				}
				if got[i] != w && !inexact[keys[i]] {
					t.Fatalf("%s: %s reads back %q, want %q", format, keys[i], got[i], w)
				}
			}
		}
	})
}

// readBack returns name, first site name, access token, refresh token and client secret.
func readBack(t *testing.T, format Format, data []byte) [5]string {
	t.Helper()
	switch format {
	case FormatDotenv:
		env, err := godotenv.UnmarshalBytes(data)
		if err != nil {
			t.Fatalf("godotenv cannot read the export: %v", err)
		}
		return [5]string{env["LIGHTSPEED_COMPANY_NAME"], env["LIGHTSPEED_SITE_1_NAME"],
			env["LIGHTSPEED_ACCESS_TOKEN"], env["LIGHTSPEED_REFRESH_TOKEN"], env["LIGHTSPEED_CLIENT_SECRET"]}
	case FormatK8sSecret:
		s := decodeSecret(t, data)
		d := s.StringData
		return [5]string{d["LIGHTSPEED_COMPANY_NAME"], d["LIGHTSPEED_SITE_1_NAME"],
			d["LIGHTSPEED_ACCESS_TOKEN"], d["LIGHTSPEED_REFRESH_TOKEN"], d["LIGHTSPEED_CLIENT_SECRET"]}
	}
	var doc struct {
		ClientSecret string `json:"client_secret"`
		Companies    []struct {
			Name         string                  `json:"company_name"`
			Sites        []struct{ Name string } `json:"sites"`
			AccessToken  string                  `json:"access_token"`
			RefreshToken string                  `json:"refresh_token"`
		} `json:"companies"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Companies) != 1 || len(doc.Companies[0].Sites) != 1 {
		t.Fatalf("JSON export does not read back: %v", err)
	}
	c := doc.Companies[0]
	return [5]string{c.Name, c.Sites[0].Name, c.AccessToken, c.RefreshToken, doc.ClientSecret}
}

// secretManifest mirrors the fields of Kubernetes' corev1.Secret that the export writes.
type secretManifest struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Type       string            `yaml:"type"`
	StringData map[string]string `yaml:"stringData"`
}

// decodeSecret parses a manifest strictly (no unknown fields, one document).
func decodeSecret(t testing.TB, data []byte) secretManifest {
	t.Helper()
	var s secretManifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("the Secret manifest does not parse: %v", err)
	}
	if s.APIVersion != "v1" || s.Kind != "Secret" || s.Type != "Opaque" || s.Metadata.Name == "" {
		t.Fatalf("not a v1 Opaque Secret: %+v", s.Metadata)
	}
	return s
}
