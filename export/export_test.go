package export

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/atomicfile"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

var tricky = "Joe's \"Burgers\" `id` \\ back\nnew line\r\tand é # not a comment"

func sampleDoc(companies int, withSecret bool) Doc {
	doc := Doc{ExportedAt: time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC), Product: "o-series", ClientID: "cid-1",
		TokenURL: "http://127.0.0.1:9/oauth/token", APIBaseURL: "http://127.0.0.1:9/v1"}
	if withSecret {
		doc.ClientSecret = "client-secret-$x`y`"
	}
	for i := range companies {
		id := int64(1000 + i)
		doc.Companies = append(doc.Companies, Company{ID: id, ExternalID: fmt.Sprint(id), Name: tricky,
			TokenURL: doc.TokenURL, APIBaseURL: doc.APIBaseURL,
			Sites:       []Site{{ID: id*10 + 1, Name: "Manly", Code: "M\"1"}, {ID: id*10 + 2, Name: "Bondi, Beach"}},
			AccessToken: fmt.Sprintf("access-%d-%s", i, randomHex(8)), AccessExpiry: time.Date(2026, 2, 3, 5, 0, 0, 0, time.UTC),
			RefreshToken: fmt.Sprintf("refresh-%d-%s", i, randomHex(8))})
	}
	return doc
}

func checkPrivate(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: mode %v, want 0600", path, fi.Mode().Perm())
	}
}

func TestWriteExportJSON(t *testing.T) {
	for _, withSecret := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "export.json")
		doc := sampleDoc(2, withSecret)
		if err := Write(path, FormatJSON, doc, false); err != nil {
			t.Fatal(err)
		}
		checkPrivate(t, path)
		data, _ := os.ReadFile(path)
		var got jsonExport
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		c := got.Companies[1]
		if got.ClientID != "cid-1" || got.TokenURL != doc.TokenURL || got.APIBaseURL != doc.APIBaseURL || got.Product != "o-series" ||
			len(got.Companies) != 2 || c.ID != 1001 || c.ExternalID != "1001" || c.Name != tricky || c.Sites[0].Code != "M\"1" ||
			c.TokenURL != doc.TokenURL || c.APIBaseURL != doc.APIBaseURL ||
			c.AccessToken != doc.Companies[1].AccessToken || c.RefreshToken != doc.Companies[1].RefreshToken ||
			c.AccessExpiry != "2026-02-03T05:00:00Z" {
			t.Fatalf("JSON export differs: %s", data)
		}
		if has := strings.Contains(string(data), "client_secret"); has != withSecret || got.ClientSecret != doc.ClientSecret {
			t.Fatalf("client secret present = %t, want %t", has, withSecret)
		}
	}
}

// TestWriteExportDotenv writes the .env export and reads it with godotenv and python-dotenv.
func TestWriteExportDotenv(t *testing.T) {
	for _, n := range []int{1, 2} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".env")
			doc := sampleDoc(n, true)
			if err := Write(path, FormatDotenv, doc, false); err != nil {
				t.Fatal(err)
			}
			checkPrivate(t, path)
			env := readDotenv(t, path)
			want := map[string]string{
				"LIGHTSPEED_CLIENT_ID": "cid-1", "LIGHTSPEED_CLIENT_SECRET": doc.ClientSecret,
				"LIGHTSPEED_TOKEN_URL": doc.TokenURL, "LIGHTSPEED_API_BASE_URL": doc.APIBaseURL,
				"LIGHTSPEED_COMPANY_COUNT": fmt.Sprint(n), "LIGHTSPEED_PRODUCT": "o-series",
			}
			prefixes := []string{}
			for i := range n {
				prefixes = append(prefixes, fmt.Sprintf("LIGHTSPEED_%d_", i+1))
			}
			if n == 1 {
				prefixes = append(prefixes, "LIGHTSPEED_")
			}
			for i, p := range prefixes {
				c := doc.Companies[min(i, n-1)]
				want[p+"COMPANY_ID"] = fmt.Sprint(c.ID)
				want[p+"COMPANY_EXTERNAL_ID"] = fmt.Sprint(c.ID)
				if p != "LIGHTSPEED_" { // the single company's are the top-level ones
					want[p+"TOKEN_URL"], want[p+"API_BASE_URL"] = c.TokenURL, c.APIBaseURL
				}
				want[p+"COMPANY_NAME"] = tricky
				want[p+"SITE_IDS"] = fmt.Sprintf("%d,%d", c.Sites[0].ID, c.Sites[1].ID)
				want[p+"SITE_1_ID"], want[p+"SITE_1_NAME"], want[p+"SITE_1_CODE"] = fmt.Sprint(c.Sites[0].ID), "Manly", "M\"1"
				want[p+"SITE_2_ID"], want[p+"SITE_2_NAME"], want[p+"SITE_2_CODE"] = fmt.Sprint(c.Sites[1].ID), "Bondi, Beach", ""
				want[p+"ACCESS_TOKEN"] = c.AccessToken
				want[p+"ACCESS_TOKEN_EXPIRES_AT"] = "2026-02-03T05:00:00Z"
				want[p+"REFRESH_TOKEN"] = c.RefreshToken
			}
			if len(env) != len(want) {
				t.Errorf("%d keys, want %d", len(env), len(want))
			}
			for k, v := range want {
				if env[k] != v {
					t.Errorf("%s = %q, want %q", k, env[k], v)
				}
			}
		})
	}
}

func TestWriteExportRefusesToOverwriteUnlessForced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(path, FormatJSON, sampleDoc(1, false), false)
	wantKind(t, err, problem.KindExists)
	if want := "There is already a file at " + path + ". Choose another name, or allow overwriting."; problem.Summary(err) != want {
		t.Fatalf("summary = %q", problem.Summary(err))
	}
	if got, _ := os.ReadFile(path); string(got) != "keep me" {
		t.Fatal("the existing file was changed")
	}
	if err := Write(path, FormatDotenv, sampleDoc(1, false), true); err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, path)
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), "LIGHTSPEED_ACCESS_TOKEN=") {
		t.Fatal("forced export did not replace the file")
	}
	noTempFiles(t, filepath.Dir(path))
}

// TestExportNeverWritesThroughALink: a symbolic link at the path is refused, with or without
// force, and what it points to is left as it was; so are a folder and a named pipe.
func TestExportNeverWritesThroughALink(t *testing.T) {
	dir := t.TempDir()
	pointee := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(pointee, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "export.json")
	if err := os.Symlink(pointee, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	dangling := filepath.Join(dir, "dangling.env")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{link, dangling} {
		for _, force := range []bool{false, true} {
			err := Write(path, FormatDotenv, sampleDoc(1, true), force)
			wantKind(t, err, problem.KindStorage)
			if !strings.Contains(problem.Summary(err), "link") {
				t.Errorf("summary %q does not say it is a link", problem.Summary(err))
			}
			if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("the link %s was replaced", path)
			}
		}
	}
	if got, _ := os.ReadFile(pointee); string(got) != "keep me" {
		t.Fatalf("the file behind the link was changed to %q", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a file was made where the dangling link points")
	}
	wantKind(t, Write(dir, FormatJSON, sampleDoc(1, false), true), problem.KindStorage)
	noTempFiles(t, dir)
}

func TestExportOnAFullDiskLeavesNoPartialFile(t *testing.T) {
	for _, force := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "export.env")
		if force {
			if err := os.WriteFile(path, []byte("original"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		err := write(path, FormatDotenv, sampleDoc(2, true), atomicfile.Options{Force: force, Wrap: testenv.DiskFull(100)})
		wantKind(t, err, problem.KindStorage)
		got, rerr := os.ReadFile(path)
		switch {
		case force && string(got) != "original":
			t.Fatalf("the original was changed to %q", got)
		case !force && !errors.Is(rerr, os.ErrNotExist):
			t.Fatalf("a partial file was left: %q", got)
		}
		noTempFiles(t, dir)
	}
}

func TestExportFormats(t *testing.T) {
	for in, want := range map[string]Format{"": FormatJSON, "JSON": FormatJSON, "dotenv": FormatDotenv, "env": FormatDotenv} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"k8s-secret", "K8S-Secret", "k8s"} {
		if got, err := ParseFormat(in); err != nil || got != FormatK8sSecret {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	_, err := ParseFormat("yaml")
	wantKind(t, err, problem.KindUsage)
	wantKind(t, Write(filepath.Join(t.TempDir(), "x"), "yaml", Doc{}, false), problem.KindUsage)
}

func TestExportDocNeverPrintsItsSecrets(t *testing.T) {
	doc := sampleDoc(2, true)
	for _, s := range []string{fmt.Sprint(doc), fmt.Sprintf("%+v %#v %s", doc, doc, doc), fmt.Sprintf("%v %#v", doc.Companies, doc.Companies[0])} {
		if strings.Contains(s, "access-") || strings.Contains(s, "refresh-") || strings.Contains(s, "client-secret") {
			t.Fatalf("a secret leaked: %s", s)
		}
	}
}

// randomHex returns n random bytes as hex, for fake tokens.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// wantKind fails the test unless err has the kind.
func wantKind(t *testing.T, err error, kind problem.Kind) {
	t.Helper()
	if got := problem.KindOf(err); got != kind {
		t.Fatalf("kind = %q, want %q (summary %q, detail %q)", got, kind, problem.Summary(err), problem.Detail(err))
	}
}

// noTempFiles fails when a temporary file of an atomic write was left in dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Fatalf("temporary file left behind: %s", e.Name())
		}
	}
}

// Several X-Series stores each have their own token and API addresses: the top-level ones are
// empty, every company's are written, and a shop's own ID goes beside its number; both
// dotenv readers read them back.
func TestExportKeepsEachStoresAddresses(t *testing.T) {
	doc := sampleDoc(2, false)
	doc.Product, doc.TokenURL, doc.APIBaseURL = "x-series", "", ""
	for i, prefix := range []string{"harbourgoods", "dockside"} {
		c := &doc.Companies[i]
		c.ExternalID = prefix + "-0adfd74a-153e-11e9-fa42-67b5781ba1fb"
		c.TokenURL = "https://" + prefix + ".retail.lightspeed.app/api/1.0/token"
		c.APIBaseURL = "https://" + prefix + ".retail.lightspeed.app/api/2.0/"
		c.Sites[0].ExternalID = "outlet-" + prefix
	}
	path := filepath.Join(t.TempDir(), ".env")
	if err := Write(path, FormatDotenv, doc, false); err != nil {
		t.Fatal(err)
	}
	env := readDotenv(t, path)
	want := map[string]string{
		"LIGHTSPEED_PRODUCT": "x-series", "LIGHTSPEED_TOKEN_URL": "", "LIGHTSPEED_API_BASE_URL": "",
		"LIGHTSPEED_2_TOKEN_URL":           "https://dockside.retail.lightspeed.app/api/1.0/token",
		"LIGHTSPEED_2_API_BASE_URL":        "https://dockside.retail.lightspeed.app/api/2.0/",
		"LIGHTSPEED_1_COMPANY_EXTERNAL_ID": "harbourgoods-0adfd74a-153e-11e9-fa42-67b5781ba1fb",
		"LIGHTSPEED_1_SITE_1_EXTERNAL_ID":  "outlet-harbourgoods",
	}
	for k, v := range want {
		if got, ok := env[k]; !ok || got != v {
			t.Errorf("%s = %q (present %t), want %q", k, got, ok, v)
		}
	}
	if _, ok := env["LIGHTSPEED_1_SITE_2_EXTERNAL_ID"]; ok {
		t.Error("a shop without an ID of its own got an EXTERNAL_ID key")
	}
}
