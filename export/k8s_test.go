package export

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// rfc1123Label is what Kubernetes accepts as a Secret's name (and more strictly, as a label).
var rfc1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// TestWriteExportK8sSecret writes the manifest and reads it back with the YAML library into a
// mirror of corev1.Secret, and with Python's YAML parser as an independent reader: the same
// keys and values as the .env export, a valid name, type Opaque.
func TestWriteExportK8sSecret(t *testing.T) {
	for _, n := range []int{1, 2} {
		doc := sampleDoc(n, true)
		doc.Companies[0].Name = "Joe's ${HOME}: \"Burgers\" #1\n- yes: no\t&anchor *ref ~ null 0x1F 1e3 é"
		doc.Companies[0].Sites[0].Code = "007"
		doc.Companies[0].Sites[1].Name = "true"
		// What YAML 1.1 readers (PyYAML, and Kubernetes' own) would take for something else.
		for i, v := range []string{"yes", "on", "No", "~", "null", "0o17", "012", "1_000", "0x1F", ".inf", "2026-01-02", "12:30:00", "=", "<<", "- x", "? y", "@z", "%TAG", "", " lead", "trail ", "\ttab", "a\u00e9", "\u2028\u0085\ufeff\x00\x7f\t\n\r"} {
			doc.Companies[0].Sites = append(doc.Companies[0].Sites, Site{ID: int64(100 + i), Name: v, Code: v})
		}
		path := filepath.Join(t.TempDir(), "secret.yaml")
		if err := Write(path, FormatK8sSecret, doc, false); err != nil {
			t.Fatal(err)
		}
		checkPrivate(t, path)
		data, _ := os.ReadFile(path)
		s := decodeSecret(t, data)
		if !rfc1123Label.MatchString(s.Metadata.Name) || len(s.Metadata.Name) > 63 {
			t.Errorf("metadata.name %q is not a valid Kubernetes name", s.Metadata.Name)
		}
		want := envPairs(doc)
		if len(s.StringData) != len(want) {
			t.Errorf("stringData has %d keys, want %d", len(s.StringData), len(want))
		}
		for _, p := range want {
			if got, ok := s.StringData[p.key]; !ok || got != p.value {
				t.Errorf("stringData.%s = %q, want %q", p.key, got, p.value)
			}
		}
		py, ok := pythonYAML(t, path)
		if !ok {
			continue
		}
		if py.APIVersion != "v1" || py.Kind != "Secret" || py.Type != "Opaque" || py.Metadata.Name != s.Metadata.Name {
			t.Errorf("Python's YAML reads another object: %+v", py.Metadata)
		}
		for _, p := range want {
			if got := py.StringData[p.key]; got != p.value {
				t.Errorf("Python's YAML reads stringData.%s as %q, want %q", p.key, got, p.value)
			}
		}
	}
}

// pythonYAML reads a manifest with PyYAML's safe_load (Debian's python3-yaml), where it is
// installed (ok false when not): the YAML library's own reading is the oracle that always runs.
func pythonYAML(t *testing.T, path string) (m secretManifest, ok bool) {
	t.Helper()
	if err := pythonModule("yaml"); err != nil {
		t.Logf("PyYAML is not here, so only the Go YAML library reads the manifest: %v", err)
		return m, false
	}
	out, err := exec.Command(systemPython, "-c",
		"import json, sys, yaml\njson.dump(yaml.safe_load(open(sys.argv[1], encoding='utf-8')), sys.stdout)", path).Output()
	if err != nil {
		t.Fatalf("PyYAML cannot read the manifest: %v", err)
	}
	var s struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Type       string            `json:"type"`
		StringData map[string]string `json:"stringData"` // a value that is not a string fails here
	}
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("PyYAML reads something else than strings: %v", err)
	}
	m.APIVersion, m.Kind, m.Metadata.Name, m.Type, m.StringData = s.APIVersion, s.Kind, s.Metadata.Name, s.Type, s.StringData
	return m, true
}

func TestK8sSecretName(t *testing.T) {
	one := func(name string, id int64) Doc { return Doc{Companies: []Company{{ID: id, Name: name}}} }
	tests := []struct {
		doc  Doc
		want string
	}{
		{one("Harbour Burgers Pty Ltd", 31001), "lightspeed-harbour-burgers-pty-ltd-31001"},
		{one("  Joe's ${HOME} -- Café!  ", 7), "lightspeed-joe-s-home-caf-7"},
		{one("東京", 12), "lightspeed-12"},
		{one("", -5), "lightspeed-n5"},
		{one(strings.Repeat("Very Long Name ", 10), 1234567890123), ""},
		{Doc{Companies: make([]Company, 3)}, "lightspeed-connect-3-companies"},
	}
	for _, tt := range tests {
		got := k8sSecretName(tt.doc)
		if !rfc1123Label.MatchString(got) || len(got) > 63 {
			t.Errorf("k8sSecretName(%q) = %q, not a valid name", tt.doc.Companies[0].Name, got)
		}
		if tt.want != "" && got != tt.want {
			t.Errorf("k8sSecretName(%q) = %q, want %q", tt.doc.Companies[0].Name, got, tt.want)
		}
		if tt.want == "" && !strings.HasSuffix(got, "-1234567890123") {
			t.Errorf("a long name lost its ID: %q", got)
		}
	}
}
