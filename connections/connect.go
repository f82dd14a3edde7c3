package connections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/export"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// ConnectOptions shapes one connect attempt.
type ConnectOptions struct {
	// Timeout is how long the person has to approve in the browser. Default: five minutes.
	Timeout time.Duration
	// Reconnect is the ID of the company being reconnected, or 0 for a new connection. A
	// consent that comes back for another company is reported, never mixed up.
	Reconnect int64
	// SkipPreflight leaves out the preflight checks (tests of later failures use it).
	SkipPreflight bool
}

// Attempt is one connect attempt: open AuthURL in the browser, then Wait (or Paste the
// address the browser ended on). Close always releases the loopback listener.
type Attempt struct {
	core     *Core
	session  *oauth.Session
	settings Settings
	opts     ConnectOptions
}

// Connected is a company whose tokens are safely stored.
type Connected struct {
	// Company is the company now connected, with its sites.
	Company Company
	// Replaced is true when the company was already connected and its tokens were replaced.
	Replaced bool
}

// StartConnect loads the saved settings, runs the preflight checks, and starts the flow: for a
// Redirect URI the app can catch, its port is bound now, so a port in use is reported before
// any browser opens.
func (c *Core) StartConnect(ctx context.Context, opts ConnectOptions) (*Attempt, error) {
	s, err := c.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if !opts.SkipPreflight {
		if err := c.preflight(ctx, s); err != nil {
			return nil, err
		}
	}
	session, err := oauth.Start(ctx, oauth.Config{
		Profile:      s.profile(),
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		RedirectURI:  s.RedirectURI,
		Timeout:      opts.Timeout,
		HTTPClient:   c.http,
		Now:          c.now,
	})
	if err != nil {
		return nil, err
	}
	return &Attempt{core: c, session: session, settings: s, opts: opts}, nil
}

// AuthURL is Lightspeed's consent page for this attempt.
func (a *Attempt) AuthURL() string { return a.session.AuthURL() }

// Catchable reports whether the app catches the answer itself; otherwise the person pastes
// the address the browser ends on.
func (a *Attempt) Catchable() bool { return a.session.Catchable() }

// Deadline is when the attempt times out.
func (a *Attempt) Deadline() time.Time { return a.session.Deadline() }

// Close ends the attempt and releases the listener; safe to call more than once.
func (a *Attempt) Close() { a.session.Close() }

// Wait waits for the approval, exchanges the code at once, looks up the company and its
// sites, and stores everything. If storing fails after the exchange, the error is an
// *UnsavedError that holds the tokens in memory for a retry or an export.
func (a *Attempt) Wait(ctx context.Context) (*Connected, error) {
	defer a.Close()
	res, err := a.session.Wait(ctx)
	if err != nil {
		return nil, err
	}
	return a.finish(ctx, res)
}

// Paste finishes the attempt with the address the browser ended on.
func (a *Attempt) Paste(ctx context.Context, landed string) (*Connected, error) {
	res, err := a.session.Paste(ctx, landed)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	return a.finish(ctx, res)
}

// finish turns fresh tokens into a stored company.
func (a *Attempt) finish(ctx context.Context, res *oauth.Result) (*Connected, error) {
	tokens := vault.Tokens{AccessToken: res.AccessToken, RefreshToken: res.RefreshToken, Expiry: res.Expiry}
	company, err := a.core.lookUp(ctx, a.settings, tokens.AccessToken)
	if err != nil {
		return nil, fmt.Errorf("could not look up the approved company: %w", err)
	}
	replaced, err := a.core.isConnected(ctx, company.ID)
	if err != nil {
		return nil, a.core.unsaved(company, tokens, a.settings, err)
	}
	if err := a.core.vault.SaveCompany(ctx, company, tokens); err != nil {
		return nil, a.core.unsaved(company, tokens, a.settings, err)
	}
	connected := &Connected{Company: companyOf(company), Replaced: replaced}
	if a.opts.Reconnect != 0 && company.ID != a.opts.Reconnect {
		return connected, a.core.wrongCompany(ctx, company, a.opts.Reconnect)
	}
	return connected, nil
}

// lookUp asks the API which company the token belongs to, and for its sites.
func (c *Core) lookUp(ctx context.Context, s Settings, accessToken string) (vault.Company, error) {
	client := c.apiClient(s, staticToken(accessToken))
	me, err := client.Me(ctx)
	if err != nil {
		return vault.Company{}, err
	}
	sites, err := client.Sites(ctx, me.ID)
	if err != nil {
		return vault.Company{}, err
	}
	return vault.Company{ID: me.ID, Name: me.Name, Sites: toVaultSites(sites), SitesTotal: sitesTotal(me, len(sites)),
		ConnectedAt: c.now()}, nil
}

// sitesTotal is how many sites the company has in all, from companies/me's sites.count, or
// nil when the reply did not say (no sites.count, yet sites are visible).
func sitesTotal(me lightspeed.Company, visible int) *int {
	if me.SitesCount == 0 && visible > 0 {
		return nil
	}
	n := me.SitesCount
	return &n
}

func (c *Core) apiClient(s Settings, tokens lightspeed.TokenSource) *lightspeed.Client {
	client := lightspeed.New(s.profile().APIURL, tokens)
	client.HTTP = c.http
	client.Now = c.now
	client.Pacer = c.pacer
	return client
}

func toVaultSites(sites []lightspeed.Site) []vault.Site {
	out := make([]vault.Site, 0, len(sites))
	for _, s := range sites {
		out = append(out, vault.Site{ID: s.ID, Name: s.Name, Code: s.Code})
	}
	return out
}

// staticToken is the token source of a connection not stored yet: the fresh access token.
type staticToken string

func (t staticToken) AccessToken(context.Context, bool) (string, error) { return string(t), nil }

func (c *Core) isConnected(ctx context.Context, id int64) (bool, error) {
	st, err := c.vault.Store.Load(ctx)
	if err != nil {
		return false, err
	}
	return st.Company(id) != nil, nil
}

// wrongCompany reports a reconnect whose consent came back for another company. That
// company's connection is kept (it was granted and stored), and the expected one is untouched.
func (c *Core) wrongCompany(ctx context.Context, got vault.Company, want int64) error {
	wantName := fmt.Sprintf("company %d", want)
	if st, err := c.vault.Store.Load(ctx); err == nil && st.Company(want) != nil {
		wantName = st.Company(want).Name
	}
	return problem.New(problem.KindWrongCompany,
		fmt.Sprintf("You approved %s in Lightspeed, not %s. %s is now connected too; to reconnect %s, connect again and choose it in Lightspeed.",
			got.Name, wantName, got.Name, wantName), nil).
		WithDetail("reconnect expected company %d, consent returned company %d", want, got.ID)
}

// UnsavedError is a connection that Lightspeed approved but this computer could not store.
// The tokens stay in memory: Retry stores them again, Export writes them to a file. The app
// must offer both before it closes, because the refresh token cannot be recovered.
type UnsavedError struct {
	core     *Core
	company  vault.Company
	tokens   vault.Tokens
	settings Settings
	cause    error
	summary  string
}

func (c *Core) unsaved(company vault.Company, tokens vault.Tokens, s Settings, cause error) *UnsavedError {
	return &UnsavedError{
		core: c, company: company, tokens: tokens, settings: s, cause: cause,
		summary: fmt.Sprintf("Lightspeed approved %s, but this computer couldn't store the connection: %s Keep the app open: try storing it again, or export it to a file so nothing is lost.",
			company.Name, problem.Summary(cause)),
	}
}

// Error is the plain sentence; it never contains a token.
func (e *UnsavedError) Error() string { return e.summary }

// Unwrap presents the failure as a KindNotStored problem whose cause is the storage error.
func (e *UnsavedError) Unwrap() error {
	return &problem.Error{Kind: problem.KindNotStored, Summary: e.summary, Detail: problem.Detail(e.cause), Err: e.cause}
}

// Company is the approved company.
func (e *UnsavedError) Company() Company { return companyOf(e.company) }

// Retry tries storing the connection again.
func (e *UnsavedError) Retry(ctx context.Context) (*Connected, error) {
	if err := e.core.vault.SaveCompany(ctx, e.company, e.tokens); err != nil {
		return nil, e.core.unsaved(e.company, e.tokens, e.settings, err)
	}
	return &Connected{Company: companyOf(e.company)}, nil
}

// Export writes the connection to a file (mode 0600, atomically), the way a normal export
// would, so the integration can use it even though this computer could not keep it.
func (e *UnsavedError) Export(path string, format Format, force bool) error {
	doc := export.Doc{
		ExportedAt: e.core.now(),
		ClientID:   e.settings.ClientID,
		TokenURL:   e.settings.profile().TokenURL,
		APIBaseURL: e.settings.profile().APIURL,
		Companies:  []export.Company{exportCompany(e.company, e.tokens)},
	}
	return export.Write(path, export.Format(format), doc, force)
}

// AsUnsaved returns the *UnsavedError in err's chain, or nil.
func AsUnsaved(err error) *UnsavedError {
	var u *UnsavedError
	if errors.As(err, &u) {
		return u
	}
	return nil
}
