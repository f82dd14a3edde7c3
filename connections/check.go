package connections

import (
	"context"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Check probes the given companies (all when ids is empty) in parallel, at most Parallelism
// at a time: each is refreshed first when its access token expires within RefreshMargin,
// then `companies/me.json` must answer with the company's own ID, and the site list is read
// again when its count has changed (see needsSiteList). A 429 is waited out and retried, and
// the company's detail says so; it never fails another company's check. Latency, HTTP status and
// the server's clock skew are recorded on each company. The result is in the order of the
// state file. An error is returned only when nothing could be checked (no settings, keyring
// or state unavailable); per-company failures are in each status.
func (c *Core) Check(ctx context.Context, ids ...int64) ([]CompanyStatus, error) {
	sp, companies, err := c.settingsAndCompanies(ctx, ids) // refuses a newer version's state
	if err != nil {
		return nil, err
	}
	checks := make([]checked, len(companies))
	pre := c.prefetchTokens(ctx, companies)
	c.forEach(companies, func(i int, co vault.Company) { checks[i] = c.checkCompany(ctx, sp, co, pre, i) })
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

// checked is one company's health check, and what a passing one learnt about its sites.
type checked struct {
	id    int64
	check vault.Check
	// sites is the site list read again (nil when it was not read); total is sites.count
	// (nil when unknown). The recorder puts them on the company.
	sites []vault.Site
	total *int
}

// checkCompany runs one company's health check with its product's settings; a company whose
// settings can't be read fails its check with why.
func (c *Core) checkCompany(ctx context.Context, sp settingsByProduct, co vault.Company, pre *prefetched, i int) checked {
	s, err := sp.of(co)
	if err != nil {
		return failedCheck(co, err, c.now())
	}
	if !vault.IsOSeries(co.Product) {
		return c.checkAccount(ctx, s, co, pre.source(c, s, co, i))
	}
	return c.checkOne(ctx, s, co, pre.source(c, s, co, i))
}

// failedCheck is a check that could not be made, and why.
func failedCheck(co vault.Company, err error, now time.Time) checked {
	return checked{id: co.ID, check: vault.Check{Status: string(statusFor(err)), CheckedAt: now,
		Detail: problem.Summary(err), ErrorKind: problem.KindOf(err)}}
}

// checkOne runs one O-Series company's health check and describes the outcome.
func (c *Core) checkOne(ctx context.Context, s Settings, co vault.Company, tokens lightspeed.TokenSource) checked {
	if check, ok := c.handedOffCheck(co); ok {
		return checked{id: co.ID, check: check}
	}
	client := c.apiClient(s, tokens)
	me, info, err := client.MeWithInfo(ctx)
	if err == nil && me.ID != co.ID {
		err = problem.New(problem.KindWrongCompany,
			fmt.Sprintf("Lightspeed answered for another company (%s) with %s's tokens. Reconnect %s.", me.Name, co.Name, co.Name), nil).
			WithDetail("companies/me.json returned id %d, want %d", me.ID, co.ID)
	}
	var sites []vault.Site
	if err == nil && needsSiteList(co, me) {
		var list []lightspeed.Site
		var listInfo lightspeed.CallInfo
		list, listInfo, err = client.SitesWithInfo(ctx, co.ID)
		info = withListInfo(info, listInfo, err != nil)
		sites = toVaultSites(list)
	}
	check := c.checkOf(info, err)
	if err != nil {
		return checked{id: co.ID, check: check}
	}
	out := checked{id: co.ID, check: check, sites: sites, total: sitesTotal(me, len(co.Sites))}
	if sites != nil {
		out.total = sitesTotal(me, len(sites))
	}
	return out
}

// checkOf describes a check's calls and outcome for the record.
func (c *Core) checkOf(info lightspeed.CallInfo, err error) vault.Check {
	check := vault.Check{Status: string(statusFor(err)), HTTPStatus: info.Status, Latency: info.Latency, CheckedAt: c.now()}
	if skew, ok := info.ClockSkew(); ok {
		check.ClockSkew = skew
	}
	if err != nil {
		check.Detail, check.ErrorKind = problem.Summary(err), problem.KindOf(err)
		return check
	}
	check.Detail = fmt.Sprintf("Lightspeed answered in %d ms.", info.Latency.Milliseconds())
	if note := info.RateLimitNote(); note != "" {
		check.Detail += " " + note
	}
	return check
}

// needsSiteList tells whether a check reads the site list again: when the company's
// sites.count no longer matches what the app knows (a site opened or closed, or never
// counted), or when some sites were out of sight (access may have been widened since). Else
// companies/me.json alone is enough, and a check costs one request.
func needsSiteList(co vault.Company, me lightspeed.Company) bool {
	return co.SitesTotal == nil || *co.SitesTotal != me.SitesCount || len(co.Sites) < me.SitesCount
}

// withListInfo adds a site list's call facts to those of companies/me: its waits always, and
// its status and timing when the list failed (that answer is the one to explain).
func withListInfo(me, list lightspeed.CallInfo, failed bool) lightspeed.CallInfo {
	return me.Followed(list, failed)
}

// applyTo puts a finished check on a company's record: the check itself, and the sites and
// their total when the check read them.
func (r checked) applyTo(rec *vault.Company) {
	check := r.check
	rec.LastCheck = &check
	if r.sites != nil {
		rec.SetSites(r.sites)
	}
	if r.total != nil {
		rec.SitesTotal = r.total
	}
	if check.ErrorKind == "" {
		rec.LastError = nil
	}
}

// recordChecks stores the checks in one write and returns the new statuses.
func (c *Core) recordChecks(ctx context.Context, companies []vault.Company, checks []checked) ([]CompanyStatus, error) {
	var out []CompanyStatus
	err := c.vault.Store.Update(ctx, func(st *vault.State) error {
		out = out[:0]
		for i, co := range companies {
			rec := st.Company(co.ID)
			if rec == nil { // disconnected meanwhile
				continue
			}
			checks[i].applyTo(rec)
			out = append(out, statusOf(*rec, companyAdvanced(st, *rec)))
		}
		return nil
	})
	return out, err
}

// settingsAndCompanies loads what a check or refresh of many companies needs: the chosen
// companies' records and their products' settings (with the client secrets), all from one
// load of the state. A newer version's state is refused first, as writable would.
func (c *Core) settingsAndCompanies(ctx context.Context, ids []int64) (settingsByProduct, []vault.Company, error) {
	st, err := c.load(ctx)
	if IsReadOnly(err) {
		return settingsByProduct{}, nil, err
	}
	if err != nil {
		if _, serr := c.Settings(ctx); serr != nil {
			return settingsByProduct{}, nil, serr
		}
		return settingsByProduct{}, nil, err
	}
	companies, err := selectCompanies(st, ids)
	if err != nil {
		if _, serr := c.settingsIn(ctx, st, ""); serr != nil {
			return settingsByProduct{}, nil, serr
		}
		return settingsByProduct{}, nil, err
	}
	sp, err := c.loadSettings(ctx, st, companies)
	return sp, companies, err
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
				NotConnected(id), nil).
				WithFix(problem.Fix{Action: problem.ActionListCompanies})
		}
		out = append(out, *co)
	}
	return out, nil
}
