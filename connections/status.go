package connections

import (
	"context"
	"encoding/json"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Status is a company's health in one word, stable for scripts (`status --json`).
type Status string

// The statuses a company can have.
const (
	// StatusHealthy: the API answered for this company with its tokens.
	StatusHealthy Status = "healthy"
	// StatusNeedsReconnect: Lightspeed no longer accepts the connection (invalid_grant), or its
	// refresh token is missing from the keyring. Only connecting again fixes it.
	StatusNeedsReconnect Status = "needs_reconnect"
	// StatusCredentialsInvalid: Lightspeed rejected the integration's client ID or secret.
	StatusCredentialsInvalid Status = "credentials_invalid"
	// StatusUnreachable: the network, a timeout or Lightspeed's servers got in the way.
	StatusUnreachable Status = "unreachable"
	// StatusUnknown: never checked.
	StatusUnknown Status = "unknown"
	// StatusHandedOff: the company's refresh token was handed off to the integration, which
	// refreshes it now; the app checks it with its access token while that lasts.
	StatusHandedOff Status = "handed_off"
)

// statusFor maps a failure to a status; nil is healthy.
func statusFor(err error) Status {
	if err == nil {
		return StatusHealthy
	}
	switch problem.KindOf(err) {
	case problem.KindInvalidGrant, problem.KindUnauthorized, problem.KindWrongCompany:
		return StatusNeedsReconnect
	case problem.KindInvalidClient:
		return StatusCredentialsInvalid
	case problem.KindHandedOff:
		return StatusHandedOff
	case problem.KindKeyringUnavailable, problem.KindNotStored, problem.KindBusy, problem.KindCanceled, problem.KindStateCorrupt:
		return StatusUnknown
	default:
		return StatusUnreachable
	}
}

// CompanyStatus is one company as the dashboard and `status` show it. Its JSON form is the
// stable `status --json` format.
type CompanyStatus struct {
	ID   int64  `json:"company_id"`
	Name string `json:"company_name"`
	// Product is the company's Lightspeed product: its ID in JSON ("product"), its name
	// ("product_name") and the words the faces use for it.
	Product Product `json:"-"`
	// ExternalID is the product's own ID of the business, as people know it: the O-Series
	// company ID in decimal, an X-Series store's UUID. --company takes it.
	ExternalID      string     `json:"external_id"`
	Sites           []Site     `json:"sites"`
	SitesVisible    int        `json:"sites_visible"` // how many sites the connection sees: len(Sites)
	SitesTotal      *int       `json:"sites_total"`   // all the company's sites (sites.count), also those out of sight; nil until counted
	Status          Status     `json:"status"`
	AccessExpiresAt *time.Time `json:"access_expires_at"`
	LastRefreshAt   *time.Time `json:"last_refresh_at"`
	LastCheckAt     *time.Time `json:"last_check_at"`
	// Detail is one plain sentence: what is wrong and what to do, or how the last check went.
	Detail string `json:"detail"`
	// Kind is the machine-readable failure kind behind Detail, "" when healthy or unchecked.
	Kind problem.Kind `json:"error_kind,omitempty"`
	// HandedOffAt is when the company's refresh token was handed off to the integration.
	HandedOffAt *time.Time `json:"handed_off_at,omitempty"`
	// HandedOffTo is the file it was handed off in.
	HandedOffTo string `json:"handed_off_to,omitempty"`
	// Settings are the integration's advanced settings the company is used with, by key
	// (AdvancedSettings): its API pace, and whether the sign-in sends PKCE.
	Settings SettingValues `json:"settings"`
}

// Fix is what to do when the status needs attention (the zero Fix when healthy); each face
// renders it its own way.
func (cs CompanyStatus) Fix() problem.Fix { return fixFor(cs.Status, cs.Kind, cs.ID) }

// Notes are extra plain sentences about the company that both faces show beside its status
// (the dashboard's details, `status` under the table), such as sites the connection can't
// see, or its hand-off to the integration. Nil when there is nothing to add.
func (cs CompanyStatus) Notes() []string {
	var notes []string
	if cs.SitesTotal != nil {
		if n := sitesNote(cs.Product, cs.Name, cs.SitesVisible, *cs.SitesTotal); n != "" {
			notes = append(notes, n)
		}
	}
	if cs.HandedOffAt != nil {
		notes = append(notes, handOffNote(&vault.HandOff{To: cs.HandedOffTo, At: *cs.HandedOffAt}))
	}
	return notes
}

// Statuses returns every connected company's status as last recorded; it sends nothing. When
// the state is a newer version's (IsReadOnly), it returns the companies it could read together
// with the read-only error, whose sentence the face shows beside them.
func (c *Core) Statuses(ctx context.Context) ([]CompanyStatus, error) {
	st, err := c.load(ctx)
	readOnly := IsReadOnly(err) && st != nil
	if err != nil && !readOnly {
		return nil, err
	}
	out := make([]CompanyStatus, 0, len(st.Companies))
	for _, co := range st.Companies {
		out = append(out, statusOf(co, companyAdvanced(st, co)))
	}
	if readOnly {
		return out, err
	}
	return out, nil
}

// StateNotice is one sentence the person should see once about the saved list of companies:
// what was rebuilt from its last-good copy when the list was found damaged or missing, and
// from when. "" when there is nothing to say. Each call takes the sentence, so the face that
// shows it shows it once.
func (c *Core) StateNotice() string {
	rec := c.vault.Store.TakeRecovery()
	if rec == nil {
		return ""
	}
	return recoveredSentence(*rec)
}

// NotifyStateNotice sets fn to be called, on the goroutine that met it, whenever the saved list
// of companies is rebuilt from its last-good copy, whatever read it (a background refresh
// included), so an open face can show StateNotice at once rather than at its next reload. fn
// must leave that goroutine before calling into the core (StateNotice included).
func (c *Core) NotifyStateNotice(fn func()) { c.vault.Store.OnRecovery(fn) }

// statusOf reads a company's status from its record: the latest of its last check and its
// last failure decides.
func statusOf(co vault.Company, settings SettingValues) CompanyStatus {
	cs := CompanyStatus{
		ID: co.ID, Name: co.Name, Product: productOfCompany(co), ExternalID: externalID(co),
		Sites: sitesOf(co.Sites), SitesVisible: len(co.Sites), Status: StatusUnknown,
		AccessExpiresAt: timePtr(co.AccessExpiry), LastRefreshAt: timePtr(co.LastRefresh),
		Detail: "Not checked yet.", Settings: settings,
	}
	if co.SitesTotal != nil {
		total := *co.SitesTotal
		cs.SitesTotal = &total
	}
	if co.LastCheck != nil {
		cs.LastCheckAt = timePtr(co.LastCheck.CheckedAt)
		cs.Status = Status(co.LastCheck.Status)
		cs.Detail = co.LastCheck.Detail
		cs.Kind = co.LastCheck.ErrorKind
	}
	if f := co.LastError; f != nil && (co.LastCheck == nil || f.At.After(co.LastCheck.CheckedAt)) {
		if s := statusFor(&problem.Error{Kind: f.Kind}); s != StatusUnknown || cs.Status == StatusUnknown {
			cs.Status, cs.Detail, cs.Kind = s, f.Summary, f.Kind
		}
	}
	if h := co.HandedOff; h != nil {
		cs.HandedOffAt, cs.HandedOffTo = timePtr(h.At), h.To
		if cs.Status == StatusHealthy || cs.Status == StatusUnknown {
			cs.Status, cs.Kind = StatusHandedOff, ""
		}
	}
	return cs
}

// FixFor is what to do about err, a failure of the company with companyID (0 for none): the
// fix its raiser gave, or else the one its status calls for.
func FixFor(err error, companyID int64) problem.Fix {
	if f := problem.FixOf(err); f.Action != problem.ActionNone {
		return f
	}
	return fixFor(statusFor(err), problem.KindOf(err), companyID)
}

// fixFor is the fix a status calls for.
func fixFor(s Status, kind problem.Kind, companyID int64) problem.Fix {
	switch {
	case s == StatusHealthy, s == StatusHandedOff:
		return problem.Fix{}
	case s == StatusNeedsReconnect:
		return problem.Fix{Action: problem.ActionReconnect, CompanyID: companyID}
	case s == StatusCredentialsInvalid:
		return problem.Fix{Action: problem.ActionCopySettings, CompanyID: companyID}
	case kind == problem.KindRateLimited: // Lightspeed answered: the connection is fine, only busy
		return problem.Fix{Action: problem.ActionRetry, CompanyID: companyID}
	case s == StatusUnreachable:
		return problem.Fix{Action: problem.ActionCheckInternet, CompanyID: companyID}
	case kind == problem.KindKeyringUnavailable:
		return problem.Fix{Action: problem.ActionUnlockKeyring, CompanyID: companyID}
	default:
		return problem.Fix{Action: problem.ActionRetry, CompanyID: companyID}
	}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// statusJSON is CompanyStatus's JSON form: every field as tagged, and the product by its ID,
// its name and what its shops are called.
type statusJSON struct {
	companyStatusFields
	Product     string `json:"product"`
	ProductName string `json:"product_name"`
	// SitesSummary is the shops in the product's words: "3 outlets".
	SitesSummary string `json:"sites_summary"`
}

// companyStatusFields is CompanyStatus without its methods, so encoding it doesn't recurse.
type companyStatusFields CompanyStatus

// MarshalJSON writes the `status --json` form: the tagged fields, then product,
// product_name and sites_summary.
func (cs CompanyStatus) MarshalJSON() ([]byte, error) {
	p := cs.Product
	if p.ID == "" {
		p, _ = ProductByID("")
	}
	return json.Marshal(statusJSON{companyStatusFields: companyStatusFields(cs), Product: p.ID, ProductName: p.Name,
		SitesSummary: p.ShopCount(cs.SitesVisible)})
}

// UnmarshalJSON reads the `status --json` form back (scripts and tests read it).
func (cs *CompanyStatus) UnmarshalJSON(data []byte) error {
	var in statusJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*cs = CompanyStatus(in.companyStatusFields)
	if p, err := ProductByID(in.Product); err == nil {
		cs.Product = p
	}
	return nil
}
