package export

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDotenvQuote: every string comes back unchanged through the documented reading rules,
// on one line.
func FuzzDotenvQuote(f *testing.F) {
	for _, seed := range []string{"", "plain", `a"b\c$d` + "`e`", "new\nline\r", "\\n", "$(rm -rf /)", "é\x00\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := dotenvQuote(s)
		if strings.ContainsAny(q, "\n\r") {
			t.Fatalf("%q spans lines", q)
		}
		got, err := dotenvUnquote(q)
		if err != nil || got != s {
			t.Fatalf("round trip of %q gave %q, %v", s, got, err)
		}
	})
}

// FuzzWriteExport: whatever the names and tokens hold, an export file is written whole with
// mode 0600 and reads back to the same values, in JSON and in dotenv.
func FuzzWriteExport(f *testing.F) {
	f.Add("Harbour Burgers Pty Ltd", "Parramatta", "access", "refresh", "secret", int64(31001))
	f.Add(tricky, "=;#\x00", "a\"b", "\\", "$x`y`", int64(-1))
	f.Add("", "", "", "", "", int64(0))
	f.Fuzz(func(t *testing.T, name, site, access, refresh, secret string, id int64) {
		doc := Doc{ClientID: "cid", ClientSecret: secret, TokenURL: "https://t", APIBaseURL: "https://a",
			Companies: []Company{{ID: id, Name: name, Sites: []Site{{ID: 7, Name: site}},
				AccessToken: access, RefreshToken: refresh}}}
		dir := t.TempDir()
		for _, format := range []Format{FormatJSON, FormatDotenv} {
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
			want := [5]string{name, site, access, refresh, secret}
			if format == FormatJSON && !allValidUTF8(want[:]) {
				continue // JSON replaces invalid UTF-8 with U+FFFD, by design of encoding/json
			}
			if got != want {
				t.Fatalf("%s: read back %q, want %q", format, got, want)
			}
		}
	})
}

// readBack returns name, first site name, access token, refresh token and client secret.
func readBack(t *testing.T, format Format, data []byte) [5]string {
	t.Helper()
	if format == FormatDotenv {
		env := parseDotenv(t, string(data))
		return [5]string{env["LIGHTSPEED_COMPANY_NAME"], env["LIGHTSPEED_SITE_1_NAME"],
			env["LIGHTSPEED_ACCESS_TOKEN"], env["LIGHTSPEED_REFRESH_TOKEN"], env["LIGHTSPEED_CLIENT_SECRET"]}
	}
	var doc jsonExport
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Companies) != 1 || len(doc.Companies[0].Sites) != 1 {
		t.Fatalf("JSON export does not read back: %v\n%s", err, data)
	}
	c := doc.Companies[0]
	return [5]string{c.Name, c.Sites[0].Name, c.AccessToken, c.RefreshToken, doc.ClientSecret}
}

func allValidUTF8(values []string) bool {
	for _, v := range values {
		if !utf8.ValidString(v) {
			return false
		}
	}
	return true
}
