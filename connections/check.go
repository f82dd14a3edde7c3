package connections

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Check probes the given companies (all when ids is empty) in parallel, at most Parallelism
// at a time: each is refreshed first when its access token expires within RefreshMargin,
// then `companies/me.json` must answer with the company's own ID. Latency, HTTP status and
// the server's clock skew are recorded on each company. The result is in the order of the
// state file. An error is returned only when nothing could be checked (no settings, keyring
// or state unavailable); per-company failures are in each status.
func (c *Core) Check(ctx context.Context, ids ...int64) ([]CompanyStatus, error) {
	s, companies, err := c.settingsAndCompanies(ctx, ids)
	if err != nil {
		return nil, err
	}
	checks := make([]vault.Check, len(companies))
	pre := c.prefetchTokens(ctx, companies)
	c.forEach(companies, func(i int, co vault.Company) { checks[i] = c.checkOne(ctx, s, co, pre.source(c, s, co, i)) })
	return c.recordChecks(ctx, companies, checks)
}

// forEach runs fn for every company, at most Parallelism at a time, and waits for all.
func (c *Core) forEach(companies []vault.Company, fn func(i int, co vault.Company)) {
	var g errgroup.Group
	g.SetLimit(c.parallelism)
	for i, co := range companies {
		g.Go(func() error {
			fn(i, co)
			return nil
		})
	}
	_ = g.Wait()
}

// checkOne runs one company's health check and describes the outcome.
func (c *Core) checkOne(ctx context.Context, s Settings, co vault.Company, tokens lightspeed.TokenSource) vault.Check {
	client := c.apiClient(s, tokens)
	me, info, err := client.MeWithInfo(ctx)
	if err == nil && me.ID != co.ID {
		err = problem.New(problem.KindWrongCompany,
			fmt.Sprintf("Lightspeed answered for another company (%s) with %s's tokens. Reconnect %s.", me.Name, co.Name, co.Name), nil).
			WithDetail("companies/me.json returned id %d, want %d", me.ID, co.ID)
	}
	check := vault.Check{Status: string(statusFor(err)), HTTPStatus: info.Status, Latency: info.Latency, CheckedAt: c.now()}
	if skew, ok := info.ClockSkew(); ok {
		check.ClockSkew = skew
	}
	if err != nil {
		check.Detail, check.ErrorKind = problem.Summary(err), problem.KindOf(err)
		return check
	}
	check.Detail = fmt.Sprintf("Lightspeed answered in %d ms.", info.Latency.Milliseconds())
	return check
}

// recordChecks stores the checks in one write and returns the new statuses.
func (c *Core) recordChecks(ctx context.Context, companies []vault.Company, checks []vault.Check) ([]CompanyStatus, error) {
	var out []CompanyStatus
	err := c.vault.Store.Update(ctx, func(st *vault.State) error {
		out = out[:0]
		for i, co := range companies {
			rec := st.Company(co.ID)
			if rec == nil { // disconnected meanwhile
				continue
			}
			rec.LastCheck = &checks[i]
			if checks[i].ErrorKind == "" {
				rec.LastError = nil
			}
			out = append(out, statusOf(*rec))
		}
		return nil
	})
	return out, err
}

// settingsAndCompanies loads what a check or refresh of many companies needs: the settings
// (with the client secret) and the chosen companies' records.
func (c *Core) settingsAndCompanies(ctx context.Context, ids []int64) (Settings, []vault.Company, error) {
	s, err := c.Settings(ctx)
	if err != nil {
		return Settings{}, nil, err
	}
	st, err := c.vault.Store.Load(ctx)
	if err != nil {
		return Settings{}, nil, err
	}
	companies, err := selectCompanies(st, ids)
	return s, companies, err
}

// selectCompanies returns the companies with the given IDs (all when ids is empty), or a
// KindNotFound problem naming the first unknown ID.
func selectCompanies(st *vault.State, ids []int64) ([]vault.Company, error) {
	if len(ids) == 0 {
		return slices.Clone(st.Companies), nil
	}
	out := make([]vault.Company, 0, len(ids))
	for _, id := range ids {
		co := st.Company(id)
		if co == nil {
			return nil, problem.New(problem.KindNotFound,
				fmt.Sprintf("No company with ID %d is connected on this computer.", id), nil).
				WithFix(problem.Fix{Action: problem.ActionListCompanies})
		}
		out = append(out, *co)
	}
	return out, nil
}
