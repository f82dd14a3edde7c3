package connections

import (
	"fmt"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
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

// SiteCount is "1 site" or "3 sites".
func SiteCount(n int) string {
	if n == 1 {
		return "1 site"
	}
	return fmt.Sprintf("%d sites", n)
}

// SitesLine names a company's sites: "Sites: Parramatta · Manly · Bondi", or "No sites yet."
func SitesLine(sites []Site) string {
	if len(sites) == 0 {
		return "No sites yet."
	}
	names := make([]string, 0, len(sites))
	for _, s := range sites {
		names = append(names, s.Name)
	}
	return "Sites: " + strings.Join(names, " · ")
}

// SitesNote says plainly when the person who clicked Grant Access can't see all of the
// company's sites, so they are missing here: "You can see 18 of Harbour Burgers Pty Ltd's 20
// sites. Whoever clicked Grant Access can't see the other 2. Reconnect as the owner to include
// them." It is "" when every site is there, or when the total is not known.
func (c Company) SitesNote() string { return sitesNote(c.Name, len(c.Sites), c.SitesTotal) }

func sitesNote(company string, visible, total int) string {
	hidden := total - visible
	if hidden <= 0 {
		return ""
	}
	whose := company + "'s"
	if strings.HasSuffix(company, "s") || strings.HasSuffix(company, "S") {
		whose = company + "'"
	}
	var see, who string
	switch {
	case visible > 0:
		see = fmt.Sprintf("You can see %d of %s %s.", visible, whose, SiteCount(total))
	case total == 1:
		see = fmt.Sprintf("You can't see %s only site.", whose)
	default:
		see = fmt.Sprintf("You can't see any of %s %s.", whose, SiteCount(total))
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

// ConsentSteps are what the person does in the browser, in order; the faces number them.
func ConsentSteps() []string {
	return []string{
		"Sign in to Lightspeed if asked.",
		"Choose your company, then click Grant Access.",
	}
}

// RedirectMismatchHint is said while waiting for the browser: the most common failure shows
// only there, on Lightspeed's own error page.
const RedirectMismatchHint = "Seeing a Lightspeed error page (500)? The Redirect URI here differs from the one registered for the integration."

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

// SitesLine names a company's shops in the product's words: "Outlets: Queen St · Ponsonby",
// or "No outlets yet." For O-Series (and the zero Product) it is SitesLine.
func (p Product) SitesLine(sites []Site) string {
	if p.Shops == "" || p.ID == DefaultProductID {
		return SitesLine(sites)
	}
	if len(sites) == 0 {
		return "No " + p.Shops + " yet."
	}
	names := make([]string, 0, len(sites))
	for _, s := range sites {
		names = append(names, s.Name)
	}
	return strings.ToUpper(p.Shops[:1]) + p.Shops[1:] + ": " + strings.Join(names, " · ")
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
