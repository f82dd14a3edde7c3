// Package export writes the files that hand tokens to an integration: JSON, dotenv and a
// Kubernetes Secret manifest, whole or not at all, readable only by their owner. It knows nothing of where the tokens come from;
// the connections core gathers them and calls Write.
package export

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/atomicfile"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/redact"
)

// Format is an export file's format.
type Format string

// The export formats.
const (
	// FormatJSON is one JSON object (the default).
	FormatJSON Format = "json"
	// FormatDotenv is KEY='value' lines for .env files.
	FormatDotenv Format = "dotenv"
	// FormatK8sSecret is a Kubernetes Secret manifest (YAML) with the dotenv keys in stringData.
	FormatK8sSecret Format = "k8s-secret"
)

// ParseFormat reads a format name as typed on the command line ("json", "dotenv", "env" or
// "k8s-secret").
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "json":
		return FormatJSON, nil
	case "dotenv", "env", ".env":
		return FormatDotenv, nil
	case "k8s-secret", "k8s", "kubernetes-secret":
		return FormatK8sSecret, nil
	}
	return "", problem.New(problem.KindUsage,
		"The export format must be json, dotenv or k8s-secret.", nil).WithDetail("unknown format %q", s)
}

// Doc is what an export file holds. It carries secrets, so it prints redacted (String,
// GoString, Format); only Write writes the values.
type Doc struct {
	// ExportedAt is when the export was made.
	ExportedAt time.Time
	// Product is the Lightspeed product the companies belong to ("o-series", "x-series").
	Product string
	// ClientID is the integration's client ID.
	ClientID string
	// ClientSecret is the integration's client secret; empty unless it was asked for.
	ClientSecret string
	// TokenURL is where refresh tokens are traded for access tokens; "" when the companies'
	// differ (X-Series stores each have their own: see Company.TokenURL).
	TokenURL string
	// APIBaseURL is the Lightspeed API's base address; "" when the companies' differ.
	APIBaseURL string
	// Companies are the exported companies with their tokens.
	Companies []Company
}

// Company is one company in an export.
type Company struct {
	// ID is the company's ID in the app (Lightspeed's company ID for O-Series).
	ID int64
	// ExternalID is the product's own ID of the business (an X-Series store's UUID).
	ExternalID string
	// Name is the company's name.
	Name string
	// TokenURL is where this company's refresh token is traded (X-Series: its store's).
	TokenURL string
	// APIBaseURL is this company's API base address (X-Series: its store's).
	APIBaseURL string
	// Sites are the company's sites.
	Sites []Site
	// AccessToken is the current access token.
	AccessToken string
	// AccessExpiry is when AccessToken stops working.
	AccessExpiry time.Time
	// RefreshToken is the current refresh token. After a refresh elsewhere it may be rotated,
	// and this copy stops working.
	RefreshToken string
}

// String describes the export without its secrets.
func (d Doc) String() string {
	return fmt.Sprintf("export.Doc{client_id: %q, companies: %d, client secret included: %t}",
		d.ClientID, len(d.Companies), d.ClientSecret != "")
}

// GoString is String, so %#v is redacted too.
func (d Doc) GoString() string { return d.String() }

// Format makes every fmt verb print the redacted String.
func (d Doc) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, d.String()) }

// String describes the company without its tokens.
func (c Company) String() string {
	return fmt.Sprintf("export.Company{id: %d, access: %s, refresh: %s}", c.ID,
		redact.Fingerprint(c.AccessToken), redact.Fingerprint(c.RefreshToken))
}

// GoString is String, so %#v is redacted too.
func (c Company) GoString() string { return c.String() }

// Format makes every fmt verb print the redacted String.
func (c Company) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, c.String()) }

// Write writes doc to path in format, mode 0600, atomically: the file is either complete
// or absent (a full disk leaves no partial file, and with force an existing file stays intact
// until the new one is complete). Without force an existing file is KindExists. A symbolic
// link or anything else that is not an ordinary file at path is refused even with force
// (KindStorage): the export never writes through a link, and never opens path itself, it
// writes a new file beside it and moves that into place, which replaces a name, not what a
// link points to.
func Write(path string, format Format, doc Doc, force bool) error {
	return write(path, format, doc, atomicfile.Options{Force: force})
}

func write(path string, format Format, doc Doc, opts atomicfile.Options) error {
	if _, err := ParseFormat(string(format)); err != nil {
		return err
	}
	if err := refuseSpecial(path); err != nil {
		return err
	}
	return atomicfile.Write(path, opts, func(w io.Writer) error { return encode(w, format, doc) })
}

// refuseSpecial refuses a path that holds a symbolic link, a folder or a device.
func refuseSpecial(path string) error {
	info, err := os.Lstat(path)
	switch {
	case err != nil || info.Mode().IsRegular():
		return nil
	case info.Mode()&fs.ModeSymlink != 0:
		return problem.New(problem.KindStorage, path+" is a link to another file, and exports never write through a link. "+
			"Choose another name.", fs.ErrExist).WithDetail("refused to export over the symbolic link %s", path)
	case info.IsDir():
		return problem.New(problem.KindStorage, path+" is a folder. Choose a file name inside it.", fs.ErrExist).
			WithDetail("refused to export over the folder %s", path)
	}
	return problem.New(problem.KindStorage, path+" isn't an ordinary file. Choose another name.", fs.ErrExist).
		WithDetail("refused to export over %s (mode %v)", path, info.Mode())
}

// Inexact lists the keys whose values no way of writing them in format lets every common
// reader read back exactly (only dotenv has such values: see dotenvValue). The file is still
// written, the same way every time; the caller says which keys are affected.
func Inexact(format Format, doc Doc) []string {
	if f, err := ParseFormat(string(format)); err != nil || f != FormatDotenv {
		return nil
	}
	return inexactDotenv(doc)
}

// encode writes doc to w in format.
//
// JSON (the default) is one object:
//
//	{"exported_at": "…", "product": "o-series", "client_id": "…",
//	 "client_secret": "…" (only when asked for), "token_url": "…", "api_base_url": "…",
//	 "companies": [{"company_id": 123, "external_id": "123", "company_name": "…",
//	                "token_url": "…", "api_base_url": "…",
//	                "sites": [{"id": 1, "name": "…", "code": "…"}],
//	                "access_token": "…", "access_token_expires_at": "RFC 3339",
//	                "refresh_token": "…"}]}
//
// Dotenv is one KEY=value line per value. A value is single-quoted, which godotenv,
// python-dotenv and shells all take literally; one that can't be (it holds a single quote or a
// line break, a double backslash, or ends in a backslash) is double-quoted with \\, \", \n and
// \r escapes; one that can't be either (a single quote and a closing double quote) is written
// bare. A value that no way keeps exact for every reader, such as one holding ${NAME}, which
// python-dotenv always expands, is listed by Inexact. The keys are
//
//	LIGHTSPEED_PRODUCT, LIGHTSPEED_CLIENT_ID, LIGHTSPEED_CLIENT_SECRET (only when asked for),
//	LIGHTSPEED_TOKEN_URL, LIGHTSPEED_API_BASE_URL, LIGHTSPEED_COMPANY_COUNT,
//
// then for the n-th company (n from 1)
//
//	LIGHTSPEED_<n>_COMPANY_ID, LIGHTSPEED_<n>_COMPANY_EXTERNAL_ID, LIGHTSPEED_<n>_COMPANY_NAME,
//	LIGHTSPEED_<n>_TOKEN_URL, LIGHTSPEED_<n>_API_BASE_URL,
//	LIGHTSPEED_<n>_SITE_IDS (comma-separated),
//	LIGHTSPEED_<n>_SITE_<m>_ID, LIGHTSPEED_<n>_SITE_<m>_NAME, LIGHTSPEED_<n>_SITE_<m>_CODE,
//	LIGHTSPEED_<n>_ACCESS_TOKEN, LIGHTSPEED_<n>_ACCESS_TOKEN_EXPIRES_AT (RFC 3339),
//	LIGHTSPEED_<n>_REFRESH_TOKEN.
//
// When exactly one company is exported, its keys are repeated without the "<n>_" part
// (LIGHTSPEED_COMPANY_ID, LIGHTSPEED_ACCESS_TOKEN, LIGHTSPEED_REFRESH_TOKEN, …), so the
// simplest names work for the common case; its TOKEN_URL and API_BASE_URL are then the
// top-level ones. LIGHTSPEED_TOKEN_URL and LIGHTSPEED_API_BASE_URL are empty when the companies'
// differ (several X-Series stores): use each company's.
//
// K8s-secret is a Kubernetes Secret manifest (apiVersion v1, kind Secret, type Opaque) whose
// stringData holds the dotenv keys and values; see encodeK8sSecret.
func encode(w io.Writer, format Format, doc Doc) error {
	f, err := ParseFormat(string(format))
	if err != nil {
		return err
	}
	switch f {
	case FormatDotenv:
		return encodeDotenv(w, doc)
	case FormatK8sSecret:
		return encodeK8sSecret(w, doc)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(toJSONExport(doc))
}

type jsonExport struct {
	ExportedAt   time.Time           `json:"exported_at"`
	Product      string              `json:"product"`
	ClientID     string              `json:"client_id"`
	ClientSecret string              `json:"client_secret,omitempty"`
	TokenURL     string              `json:"token_url"`
	APIBaseURL   string              `json:"api_base_url"`
	Companies    []jsonExportCompany `json:"companies"`
}

type jsonExportCompany struct {
	ID           int64  `json:"company_id"`
	ExternalID   string `json:"external_id"`
	Name         string `json:"company_name"`
	TokenURL     string `json:"token_url"`
	APIBaseURL   string `json:"api_base_url"`
	Sites        []Site `json:"sites"`
	AccessToken  string `json:"access_token"`
	AccessExpiry string `json:"access_token_expires_at"`
	RefreshToken string `json:"refresh_token"`
}

func toJSONExport(d Doc) jsonExport {
	out := jsonExport{ExportedAt: d.ExportedAt.UTC(), Product: d.Product, ClientID: d.ClientID, ClientSecret: d.ClientSecret,
		TokenURL: d.TokenURL, APIBaseURL: d.APIBaseURL, Companies: []jsonExportCompany{}}
	for _, c := range d.Companies {
		sites := c.Sites
		if sites == nil {
			sites = []Site{}
		}
		out.Companies = append(out.Companies, jsonExportCompany{ID: c.ID, ExternalID: c.ExternalID, Name: c.Name,
			TokenURL: c.TokenURL, APIBaseURL: c.APIBaseURL, Sites: sites,
			AccessToken: c.AccessToken, AccessExpiry: timeText(c.AccessExpiry), RefreshToken: c.RefreshToken})
	}
	return out
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Site is one of a company's sites in an export.
type Site struct {
	// ID is Lightspeed's site ID.
	ID int64 `json:"id"`
	// ExternalID is the product's own ID of the shop when it isn't ID (an X-Series outlet's
	// UUID).
	ExternalID string `json:"external_id,omitempty"`
	// Name is the site's name.
	Name string `json:"name"`
	// Code is the site's short code, if it has one.
	Code string `json:"code,omitempty"`
}
