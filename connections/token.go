package connections

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/redact"
)

// AccessToken is a company's access token, handed to a program that calls the API for it
// (the command line's token and exec, the window's Copy access token). Value is the secret;
// every way of printing the type redacts it: String, GoString, Format (any fmt verb),
// MarshalJSON and LogValue show a fingerprint instead. A face that means to hand the token
// over uses Value itself.
type AccessToken struct {
	// Value is the bearer token.
	Value string
	// ExpiresAt is when it stops working.
	ExpiresAt time.Time
}

// String names the token by its fingerprint.
func (t AccessToken) String() string {
	return fmt.Sprintf("AccessToken{%s, expires %s}", redact.Fingerprint(t.Value), t.ExpiresAt.UTC().Format(time.RFC3339))
}

// GoString is String, so %#v is redacted too.
func (t AccessToken) GoString() string { return t.String() }

// Format makes every fmt verb print the redacted String.
func (t AccessToken) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, t.String()) }

// MarshalJSON writes the redacted form.
func (t AccessToken) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// LogValue keeps slog redacted as well.
func (t AccessToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

// AccessToken returns a company's access token that works for at least minValid more,
// refreshing first when the stored one expires sooner (rotation-safe, under the company's lock shared
// with every other window and command). A company handed off to the integration is never
// refreshed: its access token comes back while it outlives minValid, and otherwise a
// KindHandedOff problem says how to take the company back. A company that is not connected is
// KindNotFound.
func (c *Core) AccessToken(ctx context.Context, companyID int64, minValid time.Duration) (AccessToken, error) {
	st, err := c.load(ctx)
	if err != nil {
		return AccessToken{}, err
	}
	found, err := selectCompanies(st, []int64{companyID})
	if err != nil {
		return AccessToken{}, err
	}
	co := found[0]
	cur, err := c.vault.Tokens(ctx, companyID)
	if err != nil {
		return AccessToken{}, refreshProblem(err, companyID)
	}
	if cur.AccessToken != "" && cur.Expiry.After(c.now().Add(minValid)) {
		return AccessToken{Value: cur.AccessToken, ExpiresAt: cur.Expiry}, nil
	}
	if co.HandedOff != nil {
		return AccessToken{}, handedOffProblem(co.ID, co.Name, *co.HandedOff, cur.Expiry, c.now())
	}
	s, err := c.companySettings(ctx, st, co)
	if err != nil {
		return AccessToken{}, err
	}
	// Within RefreshMargin the ordinary refresh re-checks the stored token under its lock, so
	// a refresh another process just made is used as it is; beyond it, a refresh is forced.
	next, err := c.refresh(ctx, s, companyID, minValid > RefreshMargin)
	if err != nil {
		return AccessToken{}, err
	}
	if next.AccessToken == "" || !next.Expiry.After(c.now()) {
		return AccessToken{}, problem.New(problem.KindBadReply,
			"Lightspeed refreshed the connection but sent an access token that has already expired. Check this computer's clock, then try again.", nil).
			WithDetail("access token expiry %s after refresh", next.Expiry.UTC().Format(time.RFC3339))
	}
	return AccessToken{Value: next.AccessToken, ExpiresAt: next.Expiry}, nil
}

// Credentials are what a program needs to call the API for one company, without the refresh
// token or the client secret: the access token, the company and its sites, and the API's
// address. Every fmt verb prints them redacted.
type Credentials struct {
	// Token is the access token.
	Token AccessToken
	// Company is the company, with its sites.
	Company Company
	// APIBaseURL is the base address of the company's product's API; X-Series' is the
	// store's own.
	APIBaseURL string
	// Product is the company's Lightspeed product.
	Product Product
}

// Format makes every fmt verb print the credentials with the token redacted.
func (cr Credentials) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "Credentials{company: %d, product: %s, token: %s, api: %s}", cr.Company.ID, cr.Product.ID, cr.Token, cr.APIBaseURL)
}

// Credentials is AccessToken with the company and the API's address.
func (c *Core) Credentials(ctx context.Context, companyID int64, minValid time.Duration) (Credentials, error) {
	tok, err := c.AccessToken(ctx, companyID, minValid)
	if err != nil {
		return Credentials{}, err
	}
	st, err := c.load(ctx)
	if err != nil {
		return Credentials{}, err
	}
	co := st.Company(companyID)
	if co == nil { // disconnected meanwhile
		_, err := selectCompanies(st, []int64{companyID})
		return Credentials{}, err
	}
	s, err := Settings{Product: co.Product, APIURL: st.IntegrationFor(co.ProductOf()).APIBaseURL}.forCompany(*co)
	if err != nil {
		return Credentials{}, err
	}
	company := companyOf(*co)
	return Credentials{Token: tok, Company: company, APIBaseURL: s.profile().APIURL, Product: company.Product}, nil
}
