package connections

import (
	"context"
	"fmt"
	"strconv"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Refresh refreshes one company's tokens now, rotation-safe: under the lock the newest stored
// refresh token is re-read, one request is sent (single-flight per company), and the new
// tokens are stored at once, before the new access token is used. A failure is recorded on
// the company (for the dashboard and `status`) and returned.
func (c *Core) Refresh(ctx context.Context, companyID int64) error {
	s, err := c.Settings(ctx)
	if err != nil {
		return err
	}
	_, err = c.refresh(ctx, s, companyID, true)
	return err
}

// refresh refreshes when forced or when the stored access token expires within
// RefreshMargin; otherwise it returns the stored tokens.
func (c *Core) refresh(ctx context.Context, s Settings, companyID int64, force bool) (vault.Tokens, error) {
	tokens, err := c.vault.Refresh(ctx, companyID, func(ctx context.Context, cur vault.Tokens) (vault.Tokens, error) {
		if !force && c.fresh(cur) {
			return cur, nil
		}
		res, err := c.refresher.Refresh(ctx, strconv.FormatInt(companyID, 10), oauth.RefreshConfig{
			Profile:      s.profile(),
			ClientID:     s.ClientID,
			ClientSecret: s.ClientSecret,
			RefreshToken: cur.RefreshToken,
			HTTPClient:   c.http,
			Now:          c.now,
		})
		if err != nil {
			return vault.Tokens{}, err
		}
		return vault.Tokens{AccessToken: res.AccessToken, RefreshToken: res.RefreshToken, Expiry: res.Expiry}, nil
	})
	if err != nil {
		err = c.handedOffRefresh(ctx, refreshProblem(err, companyID))
		c.recordFailure(ctx, companyID, err)
		return tokens, fmt.Errorf("could not refresh company %d: %w", companyID, err)
	}
	return tokens, nil
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

// recordFailure keeps the last failure on the company's record, best effort: a failure to
// record must not hide the failure itself.
func (c *Core) recordFailure(ctx context.Context, companyID int64, err error) {
	if problem.Is(err, problem.KindCanceled) || problem.Is(err, problem.KindBusy) || problem.Is(err, problem.KindHandedOff) {
		return
	}
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
