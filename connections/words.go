package connections

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// The words both faces show, written once. A face adds its own idiom around them (a colour, a
// column, a button) but never rewords them; docs/ux.md has the rules they follow.

// StatusLabel is a status in a word or two: the dashboard's badge and the STATUS column of
// `status` say the same.
func StatusLabel(s Status) string {
	switch s {
	case StatusHealthy:
		return "Healthy"
	case StatusNeedsReconnect:
		return "Needs reconnect"
	case StatusCredentialsInvalid:
		return "Credentials invalid"
	case StatusUnreachable:
		return "Offline"
	case StatusHandedOff:
		return "Handed off"
	default:
		return "Not checked"
	}
}

// TimeLeft says how long an access token still works: "42 min left", "5 h left",
// "<1 min left", "expired", or "—" when unknown.
func TimeLeft(expiry *time.Time, now time.Time) string {
	if expiry == nil {
		return "—"
	}
	left := expiry.Sub(now)
	switch {
	case left <= 0:
		return "expired"
	case left < time.Minute:
		return "<1 min left"
	case left < 2*time.Hour:
		return fmt.Sprintf("%d min left", int(left.Minutes()))
	default:
		return fmt.Sprintf("%d h left", int(left.Hours()))
	}
}

// Ago says how long ago something happened: "just now", "18 min ago", "3 h ago",
// "3 days ago", or "not yet" when it never has.
func Ago(t *time.Time, now time.Time) string {
	if t == nil {
		return "not yet"
	}
	ago := now.Sub(*t)
	switch {
	case ago < time.Minute:
		return "just now"
	case ago < time.Hour:
		return fmt.Sprintf("%d min ago", int(ago.Minutes()))
	case ago < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(ago.Hours()))
	default:
		return fmt.Sprintf("%d days ago", int(ago.Hours()/24))
	}
}

// SiteCount is "1 site" or "3 sites": ShopCount in O-Series' words.
func SiteCount(n int) string {
	p, _ := ProductByID("")
	return p.ShopCount(n)
}

// SitesLine names a company's sites: "Sites: Parramatta · Manly · Bondi", or "No sites yet."
func SitesLine(sites []Site) string {
	p, _ := ProductByID("")
	return p.ShopsLine(sites)
}

// ShopsLine is SitesLine in the product's words: "Outlets: Main Street · Airport", or
// "No outlets yet."
func (p Product) ShopsLine(sites []Site) string {
	if len(sites) == 0 {
		return "No " + p.Shops + " yet."
	}
	names := make([]string, 0, len(sites))
	for _, s := range sites {
		names = append(names, s.Name)
	}
	return strings.ToUpper(p.Shops[:1]) + p.Shops[1:] + ": " + strings.Join(names, " · ")
}

// SitesNote says plainly when the person who clicked Grant Access can't see all of the
// company's sites, so they are missing here: "You can see 18 of Harbour Burgers Pty Ltd's 20
// sites. Whoever clicked Grant Access can't see the other 2. Reconnect as the owner to include
// them." It is "" when every site is there, or when the total is not known.
func (c Company) SitesNote() string { return sitesNote(c.Product, c.Name, len(c.Sites), c.SitesTotal) }

// sitesNote is SitesNote in product p's words ("outlets"); O-Series' for the zero Product.
func sitesNote(p Product, company string, visible, total int) string {
	if p.Shops == "" {
		p, _ = ProductByID("")
	}
	hidden := total - visible
	if hidden <= 0 {
		return ""
	}
	whose := possessive(company)
	var see, who string
	switch {
	case visible > 0:
		see = fmt.Sprintf("You can see %d of %s %s.", visible, whose, p.ShopCount(total))
	case total == 1:
		see = fmt.Sprintf("You can't see %s only %s.", whose, p.Shop)
	default:
		see = fmt.Sprintf("You can't see any of %s %s.", whose, p.ShopCount(total))
	}
	switch {
	case visible == 0 && total == 1:
		who = "Whoever clicked Grant Access can't see it."
	case visible == 0:
		who = "Whoever clicked Grant Access can't see them."
	case hidden == 1:
		who = "Whoever clicked Grant Access can't see the other one."
	default:
		who = fmt.Sprintf("Whoever clicked Grant Access can't see the other %d.", hidden)
	}
	them := "them"
	if hidden == 1 {
		them = "it"
	}
	return see + " " + who + " Reconnect as the owner to include " + them + "."
}

// possessive is "Harbour Burgers'" or "Bondi Bean Co.'s".
func possessive(name string) string {
	if strings.HasSuffix(name, "s") || strings.HasSuffix(name, "S") {
		return name + "'"
	}
	return name + "'s"
}

// readOnlySentence says that the saved list of companies was written by a newer version of
// the app: this one lists what it holds but changes nothing (not the list, not the keychain,
// not a token at Lightspeed), and updating the app brings every action back. Both faces show
// it, and every change this version refuses answers with it.
const readOnlySentence = "This computer's list of companies was saved by a newer version of Lightspeed Connect, so this version shows it but changes nothing. Update the app to refresh, check or connect companies."

// OfflineSentence is what the offline status's fix says in a company's details: short, and
// reassuring, whatever the failure's own sentence was.
const OfflineSentence = "Couldn't reach Lightspeed — check the internet connection; nothing is lost."

// NotConnected says that no company with id is connected.
func NotConnected(id int64) string {
	return fmt.Sprintf("No company with ID %d is connected on this computer.", id)
}

// CloseWarning is said before the app closes while a connection is held in memory only: what
// closing would cost. savedTo is the file it was exported to, "" when none.
func (e *UnsavedError) CloseWarning(savedTo string) string {
	name := e.Name()
	if savedTo != "" {
		return "Lightspeed approved " + name + ", but the connection is not stored on this computer. The file " + savedTo +
			" keeps working, but after closing, the app must connect again to use " + name + ". Try storing it again first."
	}
	return "Lightspeed approved " + name + ", but the connection is not stored yet. If the app closes now it is lost and must be connected again. Try storing it again, or export it to a file first."
}

// CountWords is one count of a summary: "117 healthy", "1 needs reconnecting", "3 need
// reconnecting", "0 offline", "2 credentials invalid", "5 not checked", "4 handed off".
func CountWords(s Status, n int) string {
	if s == StatusNeedsReconnect {
		if n == 1 {
			return "1 needs reconnecting"
		}
		return fmt.Sprintf("%d need reconnecting", n)
	}
	return fmt.Sprintf("%d %s", n, strings.ToLower(StatusLabel(s)))
}

// SitesShown is how many sites a company's connection sees, in both faces' lists and in its
// product's words: "3 sites", "1 site", "18 of 20 sites" when Lightspeed counts more than the
// connection can see, "3 outlets" for an X-Series store.
func (cs CompanyStatus) SitesShown() string {
	p := cs.Product
	if p.Shops == "" {
		p, _ = ProductByID("")
	}
	visible := len(cs.Sites)
	if cs.SitesTotal != nil && *cs.SitesTotal > visible {
		return fmt.Sprintf("%d of %s", visible, p.ShopCount(*cs.SitesTotal))
	}
	return p.ShopCount(visible)
}

// Alert is what the person is told, once, when a company turns needs-reconnect while the app
// may be out of sight: the company's name in the title, and the sentence of what went wrong
// (the one its status shows, for example "Lightspeed no longer accepts this connection.
// Reconnect to restore it; your other companies are unaffected.").
func (cs CompanyStatus) Alert() (title, body string) {
	body = cs.Detail
	if body == "" { // a record from before details were kept
		body = "Reconnect it to use it again; your other companies are unaffected."
	}
	return cs.Name + " needs reconnecting", body
}

// DisconnectWarning is said before a company is disconnected: what it costs.
func DisconnectWarning(name string) string {
	return "Disconnecting deletes " + possessive(name) + " tokens from this computer's keychain. A refresh token can't be recovered: to use " + name + " again, connect it again in Lightspeed."
}

// DisconnectManyWarning is said before n companies are disconnected at once: what it costs.
func DisconnectManyWarning(n int) string {
	if n == 1 {
		return "Disconnecting deletes 1 company's tokens from this computer's keychain. A refresh token can't be recovered: to use it again, connect it again in Lightspeed."
	}
	return "Disconnecting deletes the tokens of " + strconv.Itoa(n) + " companies from this computer's keychain. A refresh token can't be recovered: to use them again, connect them again in Lightspeed."
}

// ForgetWarning is said before everything is removed at once: every company, the
// integration's secret and the settings.
const ForgetWarning = "Removing everything deletes every company's tokens, the integration's Client Secret and the settings from this computer. A refresh token can't be recovered: to use a company again, connect it again in Lightspeed."

// Forgotten is said once everything is removed.
const Forgotten = "Removed every company, the integration's secret and the settings from this computer."

// Disconnected is said once a company is disconnected.
func Disconnected(name string) string {
	return "Disconnected " + name + ". Its tokens were deleted from this computer's keychain; to use it again, connect it again in Lightspeed."
}

// StoredAfterRetry is said when tokens the keyring refused are stored on a later try: a
// renewed connection's, or a new one's.
func (e *UnsavedError) StoredAfterRetry() string {
	if e.Refreshed() {
		return "The renewed connection to " + e.Name() + " is now stored in this computer's keychain."
	}
	return "The connection to " + e.Name() + " is now stored in this computer's keychain."
}

// RescueFileName is the name of the file an unsaved connection is exported to when it can't
// be stored: the company's ID (when it is known) and the moment, so that two rescues never
// share a file and the name says what it holds.
func (e *UnsavedError) RescueFileName(at time.Time) string {
	stamp := at.UTC().Format("20060102-150405")
	if id := e.Company().ID; id != 0 {
		return fmt.Sprintf("lightspeed-connect-rescue-%d-%s.json", id, stamp)
	}
	return "lightspeed-connect-rescue-" + stamp + ".json"
}

// ExportFileName is the name an export is offered under, with the format's ending.
func ExportFileName(f Format) string { return "lightspeed-connect-export" + f.Ext() }

// ConsentSteps are what the person does in the browser, in order; the faces number them.
func ConsentSteps() []string {
	return []string{
		"Sign in to Lightspeed if asked.",
		"Choose your company, then click Grant Access.",
	}
}

// RedirectMismatchHint is said while waiting for the browser to O-Series users: the most
// common failure shows only there, on Lightspeed's own error page (a 500).
const RedirectMismatchHint = "Seeing a Lightspeed error page (500)? The Redirect URI here differs from the one registered for the integration."

// redirectMismatchHintOther is the same hint for the other products, whose sign-in pages
// are not recorded to answer a mismatch with a 500 (docs/providers.md): it names no code.
const redirectMismatchHintOther = "Seeing an error page in Lightspeed instead of Grant Access? The Redirect URI here may differ from the one registered for the integration."

// RedirectMismatchHint is RedirectMismatchHint for the product: O-Series' (and the zero
// Product's) names the 500 page its sign-in shows; the others' names no code.
func (p Product) RedirectMismatchHint() string {
	if p.ID == "" || p.ID == DefaultProductID {
		return RedirectMismatchHint
	}
	return redirectMismatchHintOther
}

// Headline says what happened: "Connected: Harbour Burgers Pty Ltd", or "Reconnected: …" when
// the company was already connected.
func (c *Connected) Headline() string {
	verb := "Connected"
	if c.Replaced {
		verb = "Reconnected"
	}
	return verb + ": " + c.Company.Name
}

// SavedTo is said after every export to a file.
func SavedTo(path string) string {
	return "Saved to " + path + ". It contains secrets: keep it private."
}

// PasteRefused reports whether a pasted address was refused while the attempt goes on
// waiting, so the person can paste again: one from another attempt, or one that holds no
// answer at all (the sign-in page's own address, stray text).
func PasteRefused(err error) bool {
	return problem.Is(err, problem.KindStateMismatch) || problem.Is(err, problem.KindRedirectURI) ||
		problem.Is(err, problem.KindUsage)
}

// recoveredSentence says in one sentence what was rebuilt after the list of companies was
// found damaged or missing, from what, and where the damaged file was kept: "Recovered 200
// companies from the copy saved on 3 Dec 2026 at 14:02; the damaged file was kept as …".
// Companies that could not come back (their connection is not in the keychain) are named, the
// first few. Rebuilt from the damaged file alone (its copy unusable), it says that companies
// missing from the list need connecting again: nothing tells which they were.
func recoveredSentence(r vault.Recovery) string {
	var b strings.Builder
	if r.SavedAt.IsZero() {
		fmt.Fprintf(&b, "Recovered %s from what could still be read of the damaged list", companyCount(r.Companies))
	} else {
		fmt.Fprintf(&b, "Recovered %s from the copy saved on %s", companyCount(r.Companies-r.Later), r.SavedAt.Local().Format("2 Jan 2006 at 15:04"))
		if r.Later > 0 {
			fmt.Fprintf(&b, " and %d more from the damaged file", r.Later)
		}
	}
	if n := len(r.Reconnect); n > 0 {
		const named = 3
		var names []string
		for _, c := range r.Reconnect[:min(n, named)] {
			names = append(names, fmt.Sprintf("%s (%d)", c.Name, c.ID))
		}
		if n > named {
			names = append(names, fmt.Sprintf("%d more", n-named))
		}
		verb, whose := "needs", "its connection"
		if n > 1 {
			verb, whose = "need", "their connections"
		}
		fmt.Fprintf(&b, " (%s %s reconnecting: the keychain no longer holds %s)", joinNames(names), verb, whose)
	}
	switch {
	case r.Aside == "":
		b.WriteString("; the list itself had gone missing.")
	case r.SavedAt.IsZero():
		b.WriteString("; it was kept as " + r.Aside + ", and any company not in the list now needs connecting again.")
	default:
		b.WriteString("; the damaged file was kept as " + r.Aside + ".")
	}
	return b.String()
}

// companyCount is "1 company" or "200 companies".
func companyCount(n int) string {
	if n == 1 {
		return "1 company"
	}
	return fmt.Sprintf("%d companies", n)
}

// unknownProductSentence says that id names no product and lists the four by their IDs and
// names: `There is no Lightspeed product called "z-series". Use one of: o-series (Restaurant
// O-Series (formerly Kounta)), k-series (Restaurant K-Series), …`.
func unknownProductSentence(id string) string {
	choices := make([]string, 0, 4)
	for _, p := range Products() {
		choices = append(choices, p.ID+" ("+p.Name+")")
	}
	return fmt.Sprintf("There is no Lightspeed product called %q. Use one of: %s.", id, strings.Join(choices, ", "))
}

// ShopCount is "1 outlet" or "3 outlets" in the product's words.
func (p Product) ShopCount(n int) string {
	if n == 1 {
		return "1 " + p.Shop
	}
	return fmt.Sprintf("%d %s", n, p.Shops)
}

// ConsentSteps are ConsentSteps in the product's words: "Choose your store, then click Grant
// Access." For O-Series (and the zero Product) they are ConsentSteps.
func (p Product) ConsentSteps() []string {
	steps := ConsentSteps()
	if p.Company == "" || p.ID == DefaultProductID {
		return steps
	}
	steps[1] = strings.Replace(steps[1], "your company", "your "+p.Company, 1)
	return steps
}
