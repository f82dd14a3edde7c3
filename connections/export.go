package connections

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/export"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Format is an export file's format.
type Format string

// The export formats (the file layouts are described in package export).
const (
	// FormatJSON is one JSON object (the default).
	FormatJSON Format = Format(export.FormatJSON)
	// FormatDotenv is KEY='value' lines for .env files.
	FormatDotenv Format = Format(export.FormatDotenv)
	// FormatK8sSecret is a Kubernetes Secret manifest (YAML) with the .env keys in stringData.
	FormatK8sSecret Format = Format(export.FormatK8sSecret)
)

// ParseFormat reads a format name as a person types it ("json", "dotenv", "env", ".env" or
// "k8s-secret").
func ParseFormat(name string) (Format, error) {
	f, err := export.ParseFormat(name)
	return Format(f), err
}

// formatEndings are the file name endings that ask for a format other than JSON, the first
// of each the one its files are given. FormatFor, Ext, WithFormat and FormatRule all read it,
// so the rule a person is told is the rule applied.
var formatEndings = []struct {
	format  Format
	endings []string
}{
	{FormatDotenv, []string{".env"}},
	{FormatK8sSecret, []string{".yaml", ".yml"}},
}

// FormatFor picks the format a file's name asks for: dotenv for ".env" or a name ending in
// ".env", the Kubernetes Secret for a name ending in ".yaml" or ".yml", JSON for anything else.
func FormatFor(path string) Format {
	f, _ := formatOfName(path)
	return f
}

// formatOfName is the format path's name asks for, and the ending that asks for it ("" for
// JSON by default).
func formatOfName(path string) (Format, string) {
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	if ext == "" && strings.HasPrefix(base, ".") { // ".env" alone
		ext = base
	}
	for _, fe := range formatEndings {
		for _, ending := range fe.endings {
			if strings.EqualFold(ext, ending) {
				return fe.format, ext
			}
		}
	}
	if strings.EqualFold(ext, FormatJSON.Ext()) {
		return FormatJSON, ext
	}
	return FormatJSON, ""
}

// Ext is the file name ending that goes with the format: ".json", ".env" or ".yaml".
func (f Format) Ext() string {
	for _, fe := range formatEndings {
		if fe.format == f {
			return fe.endings[0]
		}
	}
	return ".json"
}

// WithFormat is path with its ending changed to f's when the ending asks for another format
// ("tokens.json" becomes "tokens.env" for dotenv); a path whose ending asks for no format, or
// already for f, is returned as it is.
func WithFormat(path string, f Format) string {
	have, ending := formatOfName(path)
	if have == f || ending == "" {
		return path
	}
	return strings.TrimSuffix(path, ending) + f.Ext()
}

// FormatRule says which format a file's name asks for, in the format names a person types:
// "env for a name ending in .env, k8s-secret for a name ending in .yaml or .yml, else json".
func FormatRule() string {
	parts := make([]string, 0, len(formatEndings)+1)
	for _, fe := range formatEndings {
		parts = append(parts, formatName(fe.format)+" for a name ending in "+strings.Join(fe.endings, " or "))
	}
	return strings.Join(append(parts, "else "+formatName(FormatJSON)), ", ")
}

// formatName is the name a person types for f (see ParseFormat).
func formatName(f Format) string {
	if f == FormatDotenv {
		return "env"
	}
	return string(f)
}

// ExportRequest says what Export writes.
type ExportRequest struct {
	// Path is the file to write.
	Path string
	// Format is FormatJSON (the default when empty), FormatDotenv or FormatK8sSecret.
	Format Format
	// CompanyIDs are the companies to export; nil or empty means all (of Product, when set).
	CompanyIDs []int64
	// Product, with no CompanyIDs, exports every company of that product ("x-series"). One
	// file holds one product's companies: it is for that product's integration.
	Product string
	// IncludeClientSecret adds the integration's client secret.
	IncludeClientSecret bool
	// Force allows replacing an existing file.
	Force bool
	// KeepOwnership keeps the app refreshing the companies even where the export would hand
	// them off to the integration (see ExportOwnership).
	KeepOwnership bool
}

// Exported is what an export did.
type Exported struct {
	// Warnings are plain sentences both faces show after "Saved to …": today, which .env
	// values not every reader will read back exactly.
	Warnings []string
}

// Export writes the chosen companies' tokens to a file: mode 0600, whole or not at all, never
// over an existing file unless forced (KindExists), never through a symbolic link. The tokens
// are read under the companies' locks, so a refresh elsewhere cannot rotate one half way. Under
// those same locks the companies are marked as handed off to the integration when ExportOwnership says so;
// the marks are taken back if the file can't be written.
func (c *Core) Export(ctx context.Context, req ExportRequest) (Exported, error) {
	if _, err := ParseFormat(string(req.Format)); err != nil {
		return Exported{}, err
	}
	st, err := c.load(ctx)
	if IsReadOnly(err) { // an export may refresh tokens, and hands off (see writable)
		return Exported{}, err
	}
	if err != nil {
		return Exported{}, fmt.Errorf("could not export: %w", err)
	}
	if req, err = productRequest(st, req); err != nil {
		return Exported{}, fmt.Errorf("could not export: %w", err)
	}
	snap, undo, err := c.exportSnapshot(ctx, req)
	if err != nil {
		return Exported{}, fmt.Errorf("could not export: %w", err)
	}
	doc, err := exportDoc(c.now(), snap)
	if err != nil {
		undo()
		return Exported{}, fmt.Errorf("could not export: %w", err)
	}
	if err := export.Write(req.Path, export.Format(req.Format), doc, req.Force); err != nil {
		undo()
		return Exported{}, fmt.Errorf("could not export: %w", err)
	}
	var out Exported
	if keys := export.Inexact(export.Format(req.Format), doc); len(keys) > 0 {
		out.Warnings = append(out.Warnings, inexactWarning(keys))
	}
	return out, nil
}

// inexactWarning names the .env keys whose values not every reader reads back exactly.
func inexactWarning(keys []string) string {
	if len(keys) == 1 {
		return "The value of " + keys[0] + " can't be written in a .env file so that every reader reads it " +
			"back the same: some, such as python-dotenv, will read it differently. The JSON and Kubernetes " +
			"Secret formats keep it exact."
	}
	return "The values of " + strings.Join(keys, ", ") + " can't be written in a .env file so that every " +
		"reader reads them back the same: some, such as python-dotenv, will read them differently. The JSON " +
		"and Kubernetes Secret formats keep them exact."
}

// exportDoc is what an export file holds: the snapshot's product and integration, and each
// company with its tokens and its own token and API addresses (X-Series' are its store's).
// The top-level addresses are the companies' when they all share them, else empty.
func exportDoc(now time.Time, snap vault.Snapshot) (export.Doc, error) {
	s := Settings{Product: snap.Product, TokenURL: snap.Integration.TokenURL, APIURL: snap.Integration.APIBaseURL}
	p := s.profile()
	doc := export.Doc{ExportedAt: now, Product: s.productID(), ClientID: snap.Integration.ClientID, ClientSecret: snap.ClientSecret,
		TokenURL: p.TokenURL, APIBaseURL: p.APIURL}
	differ := false
	for i, co := range snap.Companies {
		cs, err := s.forCompany(co)
		if err != nil {
			return export.Doc{}, err
		}
		cp := cs.profile()
		doc.Companies = append(doc.Companies, exportCompany(co, snap.Tokens[i], cp))
		if i == 0 {
			doc.TokenURL, doc.APIBaseURL = cp.TokenURL, cp.APIURL
		}
		differ = differ || cp.TokenURL != doc.TokenURL || cp.APIURL != doc.APIBaseURL
	}
	if differ { // several X-Series stores: each company's own
		doc.TokenURL, doc.APIBaseURL = "", ""
	}
	return doc, nil
}

// exportCompany is one company and its tokens as an export file holds them.
func exportCompany(co vault.Company, t vault.Tokens, p oauth.Profile) export.Company {
	sites := make([]export.Site, 0, len(co.Sites))
	for _, s := range co.Sites {
		sites = append(sites, export.Site{ID: s.ID, ExternalID: s.ExternalID, Name: s.Name, Code: s.Code})
	}
	return export.Company{ID: co.ID, ExternalID: externalID(co), Name: co.Name, TokenURL: p.TokenURL, APIBaseURL: p.APIURL,
		Sites: sites, AccessToken: t.AccessToken, AccessExpiry: t.Expiry, RefreshToken: t.RefreshToken}
}
