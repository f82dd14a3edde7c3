package connections

import (
	"context"
	"fmt"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
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
	// Product is the Lightspeed product to connect ("x-series"); "" is the reconnected
	// company's product, else the product chosen last (see ChosenProduct).
	Product string
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
	if err := c.writable(ctx); err != nil {
		return nil, err
	}
	product, err := c.connectProduct(ctx, opts)
	if err != nil {
		return nil, err
	}
	s, err := c.SettingsFor(ctx, product)
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

// TimedOut is the attempt's failure once its Deadline has passed with no answer, for a face
// that waits for a pasted address (nothing else notices the time then).
func (a *Attempt) TimedOut() error { return oauth.ConsentTimeout() }

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

// finish turns fresh tokens into a stored company. The tokens exist only in memory until
// stored, so this is a critical section like a sent refresh (see Drain): it runs under a
// context of its own, bounded, even when ctx ends meanwhile. When the company can't be looked
// up or stored, the error is an *UnsavedError holding the tokens.
func (a *Attempt) finish(ctx context.Context, res *oauth.Result) (*Connected, error) {
	a.core.flights.begin()
	defer a.core.flights.end()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), oauth.RefreshTimeout)
	defer cancel()
	tokens := vault.Tokens{AccessToken: res.AccessToken, RefreshToken: res.RefreshToken, Expiry: res.Expiry}
	// X-Series' store arrives with the code (checked to be one DNS label); "" for the others.
	domainPrefix := res.ConsentValue
	company, err := a.core.lookUp(ctx, a.settings, tokens.AccessToken, domainPrefix)
	if err != nil {
		return nil, a.core.unsavedLookUp(tokens, a.settings, domainPrefix, err)
	}
	return a.core.store(ctx, company, tokens, a.settings, a.opts.Reconnect)
}

// store stores a looked-up company with its tokens.
func (c *Core) store(ctx context.Context, company vault.Company, tokens vault.Tokens, s Settings, reconnect int64) (*Connected, error) {
	replaced, err := c.isConnected(ctx, company)
	if err != nil {
		return nil, c.unsaved(company, tokens, s, err)
	}
	if err := c.vault.SaveCompany(ctx, company, tokens); err != nil {
		return nil, c.unsaved(company, tokens, s, err)
	}
	c.choose(ctx, company.Product)
	connected := &Connected{Company: companyOf(company), Replaced: replaced}
	if reconnect != 0 && company.ID != reconnect {
		return connected, c.wrongCompany(ctx, company, reconnect)
	}
	return connected, nil
}

// isConnected reports whether company is connected already. A record under the same local ID
// that is another business (two IDs of one product meeting in the same 60-bit hash, see
// vault.LocalID) is refused rather than overwritten.
func (c *Core) isConnected(ctx context.Context, company vault.Company) (bool, error) {
	st, err := c.load(ctx)
	if err != nil {
		return false, err
	}
	old := st.Company(company.ID)
	if old != nil && (old.ProductOf() != company.ProductOf() || old.ExternalID != company.ExternalID) {
		return false, problem.New(problem.KindStorage,
			fmt.Sprintf("%s can't be kept beside %s on this computer: the app would file both under one number. Disconnect %s first, or send the diagnostics to support.",
				company.Name, old.Name, old.Name), nil).
			WithDetail("local id %d: stored %s %q, new %s %q", company.ID, old.ProductOf(), old.ExternalID, company.ProductOf(), company.ExternalID)
	}
	return old != nil, nil
}

// ConnectProduct is the product a connect with opts is for (its Product and Reconnect): the
// reconnected company's, else the one asked for, else the one chosen last. A product name this
// version doesn't know, or one that isn't the reconnected company's, is a usage problem.
func (c *Core) ConnectProduct(ctx context.Context, opts ConnectOptions) (Product, error) {
	id, err := c.connectProduct(ctx, opts)
	if err != nil {
		return Product{}, err
	}
	return ProductByID(id)
}

func (c *Core) connectProduct(ctx context.Context, opts ConnectOptions) (string, error) {
	if opts.Product != "" {
		if _, err := profileByID(opts.Product); err != nil {
			return "", err
		}
	}
	if opts.Reconnect != 0 {
		st, err := c.load(ctx)
		if err != nil {
			return "", err
		}
		if co := st.Company(opts.Reconnect); co != nil {
			want, _ := profileByID(opts.Product)
			if opts.Product != "" && string(want.ID) != co.ProductOf() {
				have, _ := profileByID(co.ProductOf())
				return "", problem.New(problem.KindUsage, fmt.Sprintf("%s is connected through %s, not %s. Reconnect it without naming another product.",
					co.Name, have.Name, want.Name), nil)
			}
			return co.ProductOf(), nil
		}
	}
	if opts.Product != "" {
		p, _ := profileByID(opts.Product)
		return string(p.ID), nil
	}
	chosen, err := c.ChosenProduct(ctx)
	if err != nil {
		return "", err
	}
	return chosen.ID, nil
}

// choose records product as the one chosen last, best effort: it only decides what the next
// connect offers first.
func (c *Core) choose(ctx context.Context, product string) {
	if st, err := c.load(ctx); err != nil || st.Product == storedProduct(product) {
		return
	}
	_ = c.vault.Store.Update(ctx, func(st *vault.State) error {
		st.Product = storedProduct(product)
		return nil
	})
}

// wrongCompany reports a reconnect whose consent came back for another company. That
// company's connection is kept (it was granted and stored), and the expected one is untouched.
func (c *Core) wrongCompany(ctx context.Context, got vault.Company, want int64) error {
	wantName := fmt.Sprintf("company %d", want)
	if st, err := c.load(ctx); err == nil && st.Company(want) != nil {
		wantName = st.Company(want).Name
	}
	return problem.New(problem.KindWrongCompany,
		fmt.Sprintf("You approved %s in Lightspeed, not %s. %s is now connected too; to reconnect %s, connect again and choose it in Lightspeed.",
			got.Name, wantName, got.Name, wantName), nil).
		WithDetail("reconnect expected company %d, consent returned company %d", want, got.ID)
}
