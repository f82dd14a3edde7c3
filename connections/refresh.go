package connections

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Refresh refreshes one company's tokens now, rotation-safe: under the company's lock (see
// vault.Vault.Refresh; other companies refresh meanwhile) the newest stored refresh token, or
// the one held in memory when the keyring refused it, is re-read, one request is sent (single-flight per company), and the new
// tokens are stored at once, before the new access token is used. A failure is recorded on
// the company (for the dashboard and `status`) and returned.
func (c *Core) Refresh(ctx context.Context, companyID int64) error {
	s, err := c.refreshSettings(ctx, companyID) // refuses a newer version's state
	if err != nil {
		return err
	}
	_, err = c.refresh(ctx, s, companyID, true)
	return err
}

// refresh refreshes when forced or when the stored access token expires within
// RefreshMargin; otherwise it returns the stored tokens.
//
// Once the request is sent the refresh is a critical section (see Drain): the tokens are
// stored even when ctx ends meanwhile, and the caller then gets a KindCanceled problem saying
// the new token was kept. When the keyring refuses them, they stay in memory (and are used by
// the next refresh of the company instead of the stored ones, which a server that rotates
// refresh tokens has revoked), and the error is an *UnsavedError offering to store them again
// or export them.
func (c *Core) refresh(ctx context.Context, s Settings, companyID int64, force bool) (vault.Tokens, error) {
	var sent, gaveUp, replied bool
	var gen uint64 // the newest reply the tokens in hand come from
	defer func() {
		if replied {
			c.settleReplied(companyID, gen) // only once the outcome below is in place
		}
		if sent {
			c.flights.end()
		}
	}()
	tokens, err := c.vault.Refresh(ctx, companyID, func(ctx context.Context, cur vault.Tokens) (vault.Tokens, error) {
		var held vault.Tokens
		var ok bool
		if held, gen, ok = c.heldTokens(companyID); ok {
			cur = held // newer than the stored ones: store these, or refresh with them
		}
		if !force && c.fresh(cur) {
			return cur, nil
		}
		c.flights.begin()
		sent = true
		res, err := c.refresher.Refresh(ctx, strconv.FormatInt(companyID, 10), oauth.RefreshConfig{
			Profile:      s.profile(),
			ClientID:     s.ClientID,
			ClientSecret: s.ClientSecret,
			RefreshToken: cur.RefreshToken,
			ConsentValue: s.store,
			HTTPClient:   c.http,
			Now:          c.now,
		})
		if err != nil {
			return vault.Tokens{}, err
		}
		gaveUp = res.CallerGaveUp
		next := vault.Tokens{AccessToken: res.AccessToken, RefreshToken: res.RefreshToken, Expiry: res.Expiry}
		gen, replied = c.reply(companyID, next, cur.RefreshToken), true
		return next, nil
	})
	if c.afterVaultRefresh != nil {
		c.afterVaultRefresh()
	}
	switch {
	case err == nil:
		c.forgetUnstored(companyID, gen)
		if gaveUp {
			return tokens, problem.New(problem.KindCanceled,
				"Cancelled. The refresh had already reached Lightspeed, so its new token was stored and nothing was lost.",
				ctx.Err())
		}
		return tokens, nil
	case tokens.RefreshToken != "": // refreshed, but not stored
		u := c.unsavedRefresh(ctx, s, companyID, tokens, err)
		u.gen = gen
		c.holdUnstored(u)
		err = u
	default:
		err = c.handedOffRefresh(ctx, refreshProblem(err, companyID))
	}
	c.recordFailure(ctx, companyID, err)
	return tokens, fmt.Errorf("could not refresh company %d: %w", companyID, err)
}

// heldTokens returns the newest tokens held in memory for a company: those of a refresh whose
// reply came and whose outcome is not settled yet, else those the keyring refused.
//
// gen is the reply they came in; with nothing held it is the newest reply so far (whatever
// it brought is stored), so that storing these settles everything up to it.
func (c *Core) heldTokens(companyID int64) (t vault.Tokens, gen uint64, ok bool) {
	c.unstoredMu.Lock()
	defer c.unstoredMu.Unlock()
	if r, ok := c.replied[companyID]; ok {
		return r.tokens, r.gen, true
	}
	if u, ok := c.unstored[companyID]; ok {
		return u.tokens, u.gen, true
	}
	return vault.Tokens{}, c.gens[companyID], false
}

// heldReply is a refresh's reply kept until its outcome is settled.
type heldReply struct {
	tokens vault.Tokens
	gen    uint64
}

// reply keeps a refresh's new tokens (with the old refresh token when none came) until its
// outcome is settled (see replied).
// It is called under the company's lock and returns the reply's generation.
func (c *Core) reply(companyID int64, t vault.Tokens, oldRefresh string) uint64 {
	if t.RefreshToken == "" {
		t.RefreshToken = oldRefresh
	}
	c.unstoredMu.Lock()
	defer c.unstoredMu.Unlock()
	if c.replied == nil {
		c.replied, c.gens = map[int64]heldReply{}, map[int64]uint64{}
	}
	c.gens[companyID]++
	gen := c.gens[companyID]
	c.replied[companyID] = heldReply{tokens: t, gen: gen}
	return gen
}

// settleReplied drops the tokens reply kept for reply gen: by now they are stored or held.
// Tokens a later refresh of the company kept meanwhile stay.
func (c *Core) settleReplied(companyID int64, gen uint64) {
	c.unstoredMu.Lock()
	defer c.unstoredMu.Unlock()
	if r, ok := c.replied[companyID]; ok && r.gen == gen {
		delete(c.replied, companyID)
	}
}

// unstoredTokens returns the tokens of a refresh the keyring refused, if any are held.
func (c *Core) unstoredTokens(companyID int64) (vault.Tokens, bool) {
	c.unstoredMu.Lock()
	defer c.unstoredMu.Unlock()
	u, ok := c.unstored[companyID]
	if !ok {
		return vault.Tokens{}, false
	}
	return u.tokens, true
}

// holdUnstored keeps u's tokens in memory and tells the face (see NotifyUnsaved), unless
// newer tokens of the company (a later reply, whose refresh settled first) are held already.
func (c *Core) holdUnstored(u *UnsavedError) {
	c.unstoredMu.Lock()
	if c.unstored == nil {
		c.unstored = map[int64]*UnsavedError{}
	}
	if held, ok := c.unstored[u.company.ID]; ok && held.gen > u.gen {
		c.unstoredMu.Unlock()
		return
	}
	c.unstored[u.company.ID] = u
	notify := c.onUnsaved
	c.unstoredMu.Unlock()
	if notify != nil {
		notify(u)
	}
}

// NotifyUnsaved sets fn to be called, on the refreshing goroutine, whenever a refresh's new
// tokens are held in memory because the keyring refused them, including refreshes the face
// did not ask for (AutoRefresh), so it can offer to store them again or export them at once.
func (c *Core) NotifyUnsaved(fn func(*UnsavedError)) {
	c.unstoredMu.Lock()
	defer c.unstoredMu.Unlock()
	c.onUnsaved = fn
}

// Unsaved returns the refreshes whose new tokens the keyring refused and that are still held
// in memory only, newest per company, in no particular order. A face offers each before it
// exits: store again, or export (see UnsavedError).
func (c *Core) Unsaved() []*UnsavedError {
	c.unstoredMu.Lock()
	defer c.unstoredMu.Unlock()
	out := make([]*UnsavedError, 0, len(c.unstored))
	for _, u := range c.unstored {
		out = append(out, u)
	}
	return out
}

// forgetUnstored drops held tokens once newer or the same are in the keyring: those of
// reply gen or before, never those of a later reply.
func (c *Core) forgetUnstored(companyID int64, gen uint64) {
	c.unstoredMu.Lock()
	defer c.unstoredMu.Unlock()
	if held, ok := c.unstored[companyID]; ok && held.gen <= gen {
		delete(c.unstored, companyID)
	}
}

// fresh reports whether an access token is present and outlives the refresh margin.
func (c *Core) fresh(t vault.Tokens) bool {
	return t.AccessToken != "" && t.Expiry.After(c.now().Add(RefreshMargin))
}

// refreshProblem turns a refresh token missing from the keyring into "needs reconnect": the
// token cannot be recovered, only replaced by connecting again.
func refreshProblem(err error, companyID int64) error {
	if problem.Is(err, problem.KindNotFound) {
		return problem.New(problem.KindInvalidGrant,
			"This connection's refresh token is missing from the keychain. Reconnect the company to restore it; your other companies are unaffected.", err).
			WithFix(problem.Fix{Action: problem.ActionReconnect, CompanyID: companyID})
	}
	return err
}

// recordBound bounds recording a failure, which happens even when the caller has gone.
const recordBound = 5 * time.Second

// recordFailure keeps the last failure on the company's record, best effort: a failure to
// record must not hide the failure itself.
func (c *Core) recordFailure(ctx context.Context, companyID int64, err error) {
	if problem.Is(err, problem.KindCanceled) || problem.Is(err, problem.KindBusy) || problem.Is(err, problem.KindHandedOff) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordBound)
	defer cancel()
	_ = c.vault.Store.Update(ctx, func(st *vault.State) error {
		if co := st.Company(companyID); co != nil {
			co.LastError = &vault.Failure{Kind: problem.KindOf(err), Summary: problem.Summary(err), Detail: problem.Detail(err), At: c.now()}
		}
		return nil
	})
}

// companyTokens is the token source of a stored company for the API client: the stored
// access token while it is fresh, a rotation-safe refresh otherwise, or when forced after 401.
type companyTokens struct {
	core     *Core
	settings Settings
	id       int64
}

func (t companyTokens) AccessToken(ctx context.Context, force bool) (string, error) {
	if !force {
		cur, err := t.core.vault.Tokens(ctx, t.id)
		if err != nil {
			return "", refreshProblem(err, t.id)
		}
		if t.core.fresh(cur) {
			return cur.AccessToken, nil
		}
	}
	next, err := t.core.refresh(ctx, t.settings, t.id, force)
	if err != nil {
		return "", err
	}
	return next.AccessToken, nil
}

// refreshSettings is what Refresh of companyID uses: the company's product's settings, with
// its own store's addresses, from one load of the state. A newer version's state is refused
// first, as writable would. A company that is not connected gets the settings' failure first,
// as it always did, then KindNotFound from the refresh itself.
func (c *Core) refreshSettings(ctx context.Context, companyID int64) (Settings, error) {
	st, err := c.load(ctx)
	if IsReadOnly(err) {
		return Settings{}, err
	}
	if err != nil {
		return c.Settings(ctx)
	}
	co := st.Company(companyID)
	if co == nil {
		return c.settingsIn(ctx, st, "")
	}
	return c.companySettings(ctx, st, *co)
}
