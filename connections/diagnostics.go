package connections

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/redact"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Diagnostics is a redacted picture of the app's storage, safe to paste into a support ticket:
// secrets appear only as fingerprints (the first bytes of their SHA-256) or "missing".
type Diagnostics struct {
	// GeneratedAt is when the report was made.
	GeneratedAt time.Time `json:"generated_at"`
	// AppVersion is the app's version, as passed in.
	AppVersion string `json:"app_version"`
	// OS is runtime.GOOS.
	OS string `json:"os"`
	// Arch is runtime.GOARCH.
	Arch string `json:"arch"`
	// GoVersion is runtime.Version().
	GoVersion string `json:"go_version"`
	// KeyringService is the service name the app's keyring items are filed under.
	KeyringService string `json:"keyring_service"`
	// KeyringOK is true when Probe succeeded.
	KeyringOK bool `json:"keyring_ok"`
	// KeyringProblem is the kind and sentence of Probe's failure, if any.
	KeyringProblem *vault.Failure `json:"keyring_problem,omitempty"`
	// StateDir is the state directory.
	StateDir string `json:"state_dir"`
	// StatePath is the state file.
	StatePath string `json:"state_path"`
	// StateSchema is the state file's schema number (0 when there is none).
	StateSchema int `json:"state_schema"`
	// StateProblem is the failure met reading the state, if any.
	StateProblem *vault.Failure `json:"state_problem,omitempty"`
	// LastGoodPath is the last-good copy of the state, which a damaged or lost state file is
	// rebuilt from.
	LastGoodPath string `json:"last_good_path"`
	// LastGoodSavedAt is when the copy was saved; nil when there is none yet, or it is damaged.
	LastGoodSavedAt *time.Time `json:"last_good_saved_at"`
	// LastGoodProblem is why the copy can't be used or wasn't written at the last save.
	LastGoodProblem string `json:"last_good_problem,omitempty"`
	// Integration is the O-Series integration, with its client secret as a fingerprint.
	Integration DiagIntegration `json:"integration"`
	// ProductIntegrations are the other products' integrations, by product ID.
	ProductIntegrations map[string]DiagIntegration `json:"product_integrations,omitempty"`
	// Companies are the connected companies.
	Companies []DiagCompany `json:"companies"`
}

// DiagIntegration is the integration in Diagnostics.
type DiagIntegration struct {
	vault.Integration
	// ClientSecret is the client secret's fingerprint, "missing", or "not read".
	ClientSecret string `json:"client_secret_fingerprint"`
	// RefreshRotation is what the app has seen of Lightspeed's refresh tokens for this
	// integration: "rotates", "does not rotate" or "not known yet".
	RefreshRotation string `json:"refresh_rotation"`
}

// DiagCompany is one company in Diagnostics: its record plus token fingerprints.
type DiagCompany struct {
	vault.Company
	// AccessToken and RefreshToken are fingerprints, "missing", or "not read".
	AccessToken  string `json:"access_token_fingerprint"`
	RefreshToken string `json:"refresh_token_fingerprint"`
	// TokenProblem is the failure met reading the tokens, if any.
	TokenProblem *vault.Failure `json:"token_problem,omitempty"`
}

// notRead stands for a secret that could not be read because the keyring does not answer.
const notRead = "not read"

// Diagnostics gathers the report. It never fails: what cannot be found out is written down as
// a problem in the report. When the keyring does not answer, tokens are not read one by one
// (each would wait for the timeout again).
func (c *Core) Diagnostics(ctx context.Context, appVersion string) Diagnostics {
	v := c.vault
	d := Diagnostics{GeneratedAt: c.now().UTC(), AppVersion: appVersion, OS: runtime.GOOS, Arch: runtime.GOARCH,
		GoVersion: runtime.Version(), KeyringService: v.Secrets.Service(),
		StateDir: v.Store.Dir(), StatePath: v.Store.Path()}
	probeErr := v.Secrets.Probe(ctx)
	d.KeyringOK = probeErr == nil
	d.KeyringProblem = c.failure(probeErr)
	st, err := v.Store.Load(ctx)
	d.StateProblem = c.failure(err)
	var saved time.Time
	d.LastGoodPath, saved, err = v.Store.LastGood()
	d.LastGoodSavedAt = timePtr(saved)
	if err != nil {
		d.LastGoodProblem = err.Error()
	}
	if st == nil {
		return d
	}
	d.StateSchema = st.Schema
	d.Integration = c.diagIntegration(ctx, st, vault.OSeries, d.KeyringOK)
	for product := range st.ProductIntegrations {
		if d.ProductIntegrations == nil {
			d.ProductIntegrations = map[string]DiagIntegration{}
		}
		d.ProductIntegrations[product] = c.diagIntegration(ctx, st, product, d.KeyringOK)
	}
	for _, co := range st.Companies {
		d.Companies = append(d.Companies, c.diagCompany(ctx, co, d.KeyringOK))
	}
	return d
}

// diagIntegration is product's integration in the report.
func (c *Core) diagIntegration(ctx context.Context, st *vault.State, product string, keyringOK bool) DiagIntegration {
	in := st.IntegrationFor(product)
	d := DiagIntegration{Integration: in, ClientSecret: notRead, RefreshRotation: "not known yet"}
	if rotates, known := st.RotationFor(product); known {
		d.RefreshRotation = map[bool]string{true: "rotates", false: "does not rotate"}[rotates]
	}
	if keyringOK && in.ClientID != "" {
		secret, err := c.vault.Secrets.ClientSecret(ctx, vault.IntegrationKey(product, in.ClientID))
		d.ClientSecret = fingerprintOr(secret, err)
	}
	return d
}

func (c *Core) diagCompany(ctx context.Context, co vault.Company, keyringOK bool) DiagCompany {
	dc := DiagCompany{Company: co, AccessToken: notRead, RefreshToken: notRead}
	if !keyringOK {
		return dc
	}
	t, err := c.vault.Secrets.LoadTokens(ctx, co.ID)
	if err != nil {
		dc.TokenProblem = c.failure(err)
		dc.RefreshToken = fingerprintOr("", err)
		return dc
	}
	dc.AccessToken, dc.RefreshToken = redact.Fingerprint(t.AccessToken), redact.Fingerprint(t.RefreshToken)
	return dc
}

// fingerprintOr is the fingerprint of a secret just read, "missing" when the keyring has no
// such item, and "not read" for any other failure.
func fingerprintOr(secret string, err error) string {
	switch {
	case err == nil:
		return redact.Fingerprint(secret)
	case problem.Is(err, problem.KindNotFound):
		return "missing"
	default:
		return notRead
	}
}

func (c *Core) failure(err error) *vault.Failure {
	if err == nil {
		return nil
	}
	return &vault.Failure{Kind: problem.KindOf(err), Summary: problem.Summary(err), Detail: problem.Detail(err), At: c.now().UTC()}
}

// Text renders the report as plain text for the clipboard.
func (d Diagnostics) Text() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("Lightspeed Connect diagnostics (%s)", stamp(d.GeneratedAt))
	p("App version: %s", d.AppVersion)
	p("System: %s/%s, %s", d.OS, d.Arch, d.GoVersion)
	p("Keychain: %s (service %q)", okText(d.KeyringOK, d.KeyringProblem), d.KeyringService)
	p("State file: %s (schema %d)", d.StatePath, d.StateSchema)
	if d.StateProblem != nil {
		p("State problem: %s", failureText(d.StateProblem))
	}
	switch {
	case d.LastGoodProblem != "":
		p("Last-good copy: %s (%s)", d.LastGoodPath, d.LastGoodProblem)
	case d.LastGoodSavedAt != nil:
		p("Last-good copy: %s (saved %s)", d.LastGoodPath, stamp(*d.LastGoodSavedAt))
	default:
		p("Last-good copy: %s (none yet)", d.LastGoodPath)
	}
	integrationText(p, "Integration", d.Integration)
	for _, product := range slices.Sorted(maps.Keys(d.ProductIntegrations)) {
		integrationText(p, "Integration ("+product+")", d.ProductIntegrations[product])
	}
	p("Companies: %d", len(d.Companies))
	for _, c := range d.Companies {
		d.companyText(p, c)
	}
	return b.String()
}

func integrationText(p func(string, ...any), label string, in DiagIntegration) {
	p("%s: client ID %q, client secret %s, practice %t", label, in.ClientID, in.ClientSecret, in.Practice)
	p("  redirect URI %s", orNone(in.RedirectURI))
	p("  authorize URL %s, token URL %s, API %s", orNone(in.AuthorizeURL), orNone(in.TokenURL), orNone(in.APIBaseURL))
	p("  refresh token %s", in.RefreshRotation)
}

func (d Diagnostics) companyText(p func(string, ...any), c DiagCompany) {
	p("- %d %q: %d site(s), connected %s", c.ID, c.Name, len(c.Sites), stamp(c.ConnectedAt))
	if !vault.IsOSeries(c.Product) {
		p("  %s, its own ID %s, store %s", c.Product, orNone(c.ExternalID), orNone(c.DomainPrefix))
	}
	p("  access token %s, expires %s; refresh token %s; last refresh %s",
		c.AccessToken, stamp(c.AccessExpiry), c.RefreshToken, stamp(c.LastRefresh))
	if c.TokenProblem != nil {
		p("  token problem: %s", failureText(c.TokenProblem))
	}
	if h := c.HandedOff; h != nil {
		p("  handed off to the integration on %s, in %s; the app no longer refreshes it", stamp(h.At), h.To)
	}
	if k := c.LastCheck; k != nil {
		kind := ""
		if k.ErrorKind != "" {
			kind = ", kind " + string(k.ErrorKind)
		}
		p("  last check %s: %s (HTTP %d, %s, clock skew %s%s) %s",
			stamp(k.CheckedAt), k.Status, k.HTTPStatus, k.Latency, k.ClockSkew, kind, k.Detail)
	}
	if c.LastError != nil {
		p("  last error: %s", failureText(c.LastError))
	}
}

func okText(ok bool, f *vault.Failure) string {
	if ok {
		return "answers"
	}
	return "NOT AVAILABLE: " + failureText(f)
}

func failureText(f *vault.Failure) string {
	if f == nil {
		return "none"
	}
	s := fmt.Sprintf("[%s] %s", f.Kind, f.Summary)
	if f.Detail != "" {
		s += " (" + f.Detail + ")"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
