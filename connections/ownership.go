package connections

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Who refreshes a company's tokens.
//
// A refresh token can live in two places: here, and in a file exported for the integration.
// When Lightspeed answers every refresh with a new refresh token (rotation), whichever side
// refreshes first makes the other side's copy useless, and with strict rotation using the old
// copy even revokes the whole connection. So the app learns, from its own refreshes, whether
// the integration's refresh tokens rotate (vault.State.Rotation), and an export of a refresh
// token hands the company off to the integration unless rotation is known not to happen: the
// company is marked (the file and the time), the app stops refreshing it, checks it with its
// access token while that lasts, and both faces say so. Reconnecting takes it back.

// HandOffExplanation is the export dialog's sentence about ownership.
const HandOffExplanation = "Unless Lightspeed is known to keep refresh tokens unchanged, the integration takes over refreshing the exported companies and this app stops, so the two never break each other's tokens; reconnect a company here to take it back."

// KeepOwnershipWarning is said beside the choice to keep the app refreshing exported companies.
const KeepOwnershipWarning = "This app keeps refreshing too: if Lightspeed changes refresh tokens when they're used, each side's refresh breaks the other's copy."

// Ownership is what an export will do to who refreshes the exported companies.
type Ownership struct {
	// HandOff is true when the export marks the companies as handed off to the integration.
	HandOff bool
	// Sentence is what to tell the person before the file is written: the hand-off, or the
	// warning that goes with keeping ownership; "" when nothing changes.
	Sentence string
}

// ExportOwnership says, before anything is written, what Export(req) will do to ownership,
// and warns when a company was handed off already: while refresh tokens may rotate, this
// computer's copy of its refresh token may be stale by now.
func (c *Core) ExportOwnership(ctx context.Context, req ExportRequest) (Ownership, error) {
	st, err := c.load(ctx)
	if err != nil {
		return Ownership{}, err
	}
	req, err = productRequest(st, req)
	if err != nil {
		return Ownership{}, err
	}
	companies, err := selectCompanies(st, req.CompanyIDs)
	if err != nil {
		return Ownership{}, err
	}
	if _, err := st.ExportProduct(req.CompanyIDs); err != nil {
		return Ownership{}, err
	}
	rotates, known := rotationOf(st, companies)
	own := ownershipOf(companies, rotates, known, req.KeepOwnership)
	if !known || rotates {
		for _, co := range companies {
			if co.HandedOff != nil {
				own.Sentence = strings.TrimSpace(alreadyHandedOff(co) + " " + own.Sentence)
			}
		}
	}
	return own, nil
}

func ownershipOf(companies []vault.Company, rotates, known, keep bool) Ownership {
	if known && !rotates {
		return Ownership{}
	}
	names := make([]string, 0, len(companies))
	for _, co := range companies {
		names = append(names, co.Name)
	}
	who := joinNames(names)
	may := "may change"
	if known {
		may = "changes"
	}
	if keep {
		return Ownership{Sentence: fmt.Sprintf("This app will keep refreshing %s too, but Lightspeed %s the refresh token on every refresh, so each side's refresh can break the other's copy.", who, may)}
	}
	return Ownership{HandOff: true, Sentence: fmt.Sprintf("Lightspeed %s the refresh token on every refresh, so from now on the integration refreshes %s and this app stops; reconnect here to take it back.", may, who)}
}

// joinNames is "A", "A and B", or "A, B and C".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return "the companies"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// exportSnapshot reads what an export writes and, under the same locks, marks the companies as
// handed off when the export hands them off. undo takes the marks back when the file could
// not be written.
func (c *Core) exportSnapshot(ctx context.Context, req ExportRequest) (vault.Snapshot, func(), error) {
	path, err := filepath.Abs(req.Path)
	if err != nil {
		path = req.Path
	}
	mark := vault.HandOff{To: path, At: c.now()}
	snap, prev, err := c.vault.SnapshotHandOff(ctx, req.CompanyIDs, req.IncludeClientSecret, func(st *vault.State) (vault.HandOff, bool) {
		companies, err := selectCompanies(st, req.CompanyIDs)
		if err != nil {
			companies = nil // the snapshot itself says so
		}
		rotates, known := rotationOf(st, companies)
		return mark, (!known || rotates) && !req.KeepOwnership
	})
	if err != nil {
		return vault.Snapshot{}, nil, err
	}
	return snap, func() { _ = c.vault.UndoHandOff(context.WithoutCancel(ctx), mark, prev) }, nil
}

// handedOffDate is the day of a hand-off as both faces write it: "28 Nov 2026".
func handedOffDate(at time.Time) string { return at.Local().Format("2 Jan 2006") }

// handOffNote is the note both faces show under a handed-off company.
func handOffNote(h *vault.HandOff) string {
	return fmt.Sprintf("Handed off on %s to %s; reconnect here to take it back.", handedOffDate(h.At), h.To)
}

// alreadyHandedOff warns before exporting a company whose refresh token the integration owns.
func alreadyHandedOff(co vault.Company) string {
	return fmt.Sprintf(
		"%s was already handed off to the integration on %s (%s): if the integration has refreshed since, the refresh token written now no longer works, and using it could end the connection; reconnect here first for a fresh one.",
		co.Name, handedOffDate(co.HandedOff.At), co.HandedOff.To)
}

// handedOffProblem says the app can't give a fresh access token for a handed-off company:
// expiry is when the one it has stops working.
func handedOffProblem(id int64, name string, h vault.HandOff, expiry, now time.Time) error {
	left := "its access token has expired"
	if expiry.After(now) {
		left = "its access token has only " + TimeLeft(&expiry, now)
	}
	return problem.New(problem.KindHandedOff, fmt.Sprintf(
		"%s was handed off to the integration on %s (%s), so this app no longer refreshes its tokens, and %s. Reconnect the company here to take it back.",
		name, handedOffDate(h.At), h.To, left), nil).
		WithFix(problem.Fix{Action: problem.ActionReconnect, CompanyID: id})
}

// handedOffRefresh turns the vault's refusal to refresh a handed-off company into its
// sentence; any other error comes back as it is.
func (c *Core) handedOffRefresh(ctx context.Context, err error) error {
	var h *vault.HandedOffError
	if !errors.As(err, &h) {
		return err
	}
	var expiry time.Time
	if st, lerr := c.load(context.WithoutCancel(ctx)); lerr == nil && st.Company(h.CompanyID) != nil {
		expiry = st.Company(h.CompanyID).AccessExpiry
	}
	return handedOffProblem(h.CompanyID, h.Name, h.HandOff, expiry, c.now())
}

// handedOffCheck is the check of a handed-off company whose access token has expired: the
// app can't refresh it, so it does not ask Lightspeed at all. ok is false when the company
// is not handed off or its access token still works (then it is checked with that token).
func (c *Core) handedOffCheck(co vault.Company) (vault.Check, bool) {
	if co.HandedOff == nil || co.AccessExpiry.After(c.now()) {
		return vault.Check{}, false
	}
	return vault.Check{Status: string(StatusHandedOff), CheckedAt: c.now(),
		Detail: "Not checked: its access token has expired, and the integration refreshes this company's tokens now."}, true
}

// tokenSource is what a check of co uses: the stored tokens with refreshing, or for a
// handed-off company the stored access token alone.
func (c *Core) tokenSource(s Settings, co vault.Company) lightspeed.TokenSource {
	if co.HandedOff != nil {
		return handedOffTokens{core: c, company: co}
	}
	return companyTokens{core: c, settings: s, id: co.ID}
}

// handedOffTokens is the token source of a handed-off company: the stored access token until
// it expires, never a refresh.
type handedOffTokens struct {
	core    *Core
	company vault.Company
}

func (t handedOffTokens) AccessToken(ctx context.Context, refused bool) (string, error) {
	co := t.company
	if refused {
		return "", problem.New(problem.KindUnauthorized, fmt.Sprintf(
			"Lightspeed no longer accepts the access token of %s, which was handed off to the integration on %s (%s). Reconnect the company here to take it back.",
			co.Name, handedOffDate(co.HandedOff.At), co.HandedOff.To), nil).
			WithFix(problem.Fix{Action: problem.ActionReconnect, CompanyID: co.ID})
	}
	cur, err := t.core.vault.Tokens(ctx, co.ID)
	if err != nil {
		return "", refreshProblem(err, co.ID)
	}
	if cur.AccessToken == "" || !cur.Expiry.After(t.core.now()) {
		return "", handedOffProblem(co.ID, co.Name, *co.HandedOff, cur.Expiry, t.core.now())
	}
	return cur.AccessToken, nil
}

// rotationOf is what is known about whether the refresh tokens of companies' product rotate:
// rotating for certain where the product documents it, else what the app's own refreshes of
// its integration showed (O-Series, the first company's product; an export holds one).
func rotationOf(st *vault.State, companies []vault.Company) (rotates, known bool) {
	product := DefaultProductID
	if len(companies) > 0 {
		product = companies[0].ProductOf()
	}
	if p, err := profileByID(product); err == nil && p.RotationDocumented && p.RefreshRotates {
		return true, true
	}
	return st.RotationFor(product)
}

// productRequest narrows an export of "all" to one product's companies when req names one.
func productRequest(st *vault.State, req ExportRequest) (ExportRequest, error) {
	if req.Product == "" || len(req.CompanyIDs) > 0 {
		return req, nil
	}
	p, err := profileByID(req.Product)
	if err != nil {
		return req, err
	}
	for _, co := range st.Companies {
		if co.ProductOf() == string(p.ID) {
			req.CompanyIDs = append(req.CompanyIDs, co.ID)
		}
	}
	if len(req.CompanyIDs) == 0 {
		return req, problem.New(problem.KindNotFound,
			fmt.Sprintf("No %s is connected through %s on this computer, so there is nothing to export.", p.Words.Company, p.Name), nil).
			WithFix(problem.Fix{Action: problem.ActionListCompanies})
	}
	return req, nil
}
