package connections

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// CheckEach is Check for a face that shows progress: it probes the given companies (all
// when ids is empty), at most Parallelism at a time, and calls each with a company's new
// status as soon as its check ends (one call at a time, never concurrently, from the
// checking goroutines). The checks are written to the state as they end too, several in one
// write, and CheckEach returns once every check has ended and been written.
//
// A status is passed on before it is written: writing waits for the state lock, which other
// windows and commands take too (a connect, an export, the end of every refresh), so a face
// would otherwise see a status late or in bursts. The status
// passed on is the one the write records: the record as loaded, with the new check and, when
// the check refreshed the tokens, their new expiry.
//
// Cancelling ctx stops it early: no new check starts, the checks in flight are abandoned,
// and a company whose check was cut short keeps the status it had (it is neither recorded nor
// passed to each). Checks finished before the cancel are recorded. The error is the one that
// stopped anything from being checked (no settings, keyring or state unavailable), or
// KindCanceled when ctx ended first; per-company failures are in each status.
func (c *Core) CheckEach(ctx context.Context, ids []int64, each func(CompanyStatus)) error {
	sp, companies, err := c.settingsAndCompanies(ctx, ids) // refuses a newer version's state
	if err != nil {
		return err
	}
	results := make(chan checked, len(companies))
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		c.recordAsTheyCome(context.WithoutCancel(ctx), results)
	}()
	pre := c.prefetchTokens(ctx, companies)
	var mu sync.Mutex // each is called one at a time
	var g errgroup.Group
	g.SetLimit(c.parallelism)
	for i, co := range companies {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			result := c.checkCompany(ctx, sp, co, pre, i)
			if ctx.Err() != nil && result.check.ErrorKind != "" {
				return nil // cut short: the company keeps what it had
			}
			rec := co
			result.applyTo(&rec)
			if expiry := pre.expiry[i]; !expiry.IsZero() && !expiry.Equal(co.AccessExpiry) {
				rec.AccessExpiry, rec.LastRefresh = expiry, pre.refreshedAt[i]
			}
			mu.Lock()
			each(statusOf(rec, sp.advanced(co)))
			mu.Unlock()
			results <- result
			return nil
		})
	}
	_ = g.Wait()
	close(results)
	<-recorded
	if err := ctx.Err(); err != nil {
		return problem.New(problem.KindCanceled, "The check was cancelled; the companies checked so far are up to date.", err)
	}
	return nil
}

// recordAsTheyCome writes finished checks to the state as they arrive, all that are waiting
// in one write (so 500 companies cost a handful of writes, not 500). It ends when results is
// closed and drained. A failed write (a full disk, the lock held too long) loses only the
// record of these checks, which the next check makes again.
func (c *Core) recordAsTheyCome(ctx context.Context, results <-chan checked) {
	for first := range results {
		batch := []checked{first}
	drain:
		for {
			select {
			case r, ok := <-results:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		_ = c.vault.Store.Update(ctx, func(st *vault.State) error {
			for _, r := range batch {
				if rec := st.Company(r.id); rec != nil { // else disconnected meanwhile
					r.applyTo(rec)
				}
			}
			return nil
		})
	}
}

// prefetched are the access tokens of one check, read from the keyring ahead of the checks
// that use them, so the keyring's round trips overlap the network's instead of adding to
// them. The keyring answers one call at a time on some systems (GNOME Keyring takes a few
// milliseconds a call, each call several D-Bus round trips), so a check of 200 companies
// could spend as long in the keyring as waiting for Lightspeed: done in turn, the two would
// add up. So the reads go ahead, in the checks' order, at most Parallelism at a time; they
// never take the state lock (a check only reads); and each reads the access token alone, the
// one thing a check sends. A stale or missing access token goes the refresh way, which reads
// the refresh token too, under the company's lock.
type prefetched struct {
	ready  []chan struct{}
	tokens []vault.Tokens
	errs   []error
	// expiry and refreshedAt are set when a check went the refresh way: the expiry of the
	// tokens it ended with, and when it got them.
	expiry      []time.Time
	refreshedAt []time.Time
}

func (c *Core) prefetchTokens(ctx context.Context, companies []vault.Company) *prefetched {
	n := len(companies)
	p := &prefetched{ready: make([]chan struct{}, n), tokens: make([]vault.Tokens, n), errs: make([]error, n),
		expiry: make([]time.Time, n), refreshedAt: make([]time.Time, n)}
	for i := range p.ready {
		p.ready[i] = make(chan struct{})
	}
	go func() {
		var g errgroup.Group
		g.SetLimit(c.parallelism)
		for i, co := range companies {
			g.Go(func() error {
				defer close(p.ready[i])
				p.tokens[i].AccessToken, p.errs[i] = c.vault.Secrets.AccessToken(ctx, co.ID)
				return nil
			})
		}
		_ = g.Wait()
	}()
	return p
}

// source is the token source for the check of companies[i]. A company handed off to the
// integration has its own, which never refreshes.
func (p *prefetched) source(c *Core, s Settings, co vault.Company, i int) lightspeed.TokenSource {
	if co.HandedOff != nil {
		return c.tokenSource(s, co)
	}
	return checkTokens{companyTokens: companyTokens{core: c, settings: s, id: co.ID}, expiry: co.AccessExpiry, pre: p, i: i}
}

// checkTokens is a company's token source during a check: the prefetched access token while
// it is fresh. When it is stale (or Lightspeed refused it) the rotation-safe path
// takes over: under the company's lock, the newest tokens are re-read and refreshed.
type checkTokens struct {
	companyTokens
	expiry time.Time
	pre    *prefetched
	i      int
}

func (t checkTokens) AccessToken(ctx context.Context, force bool) (string, error) {
	if !force {
		select {
		case <-t.pre.ready[t.i]:
		case <-ctx.Done():
			return "", problem.New(problem.KindCanceled, "The check was cancelled.", ctx.Err())
		}
		cur, err := t.pre.tokens[t.i], t.pre.errs[t.i]
		if err != nil {
			return "", refreshProblem(err, t.id)
		}
		cur.Expiry = t.expiry
		if refreshed := t.pre.expiry[t.i]; !refreshed.IsZero() {
			cur.Expiry = refreshed // this check refreshed already: cur holds the new token
		}
		if t.core.fresh(cur) {
			return cur.AccessToken, nil
		}
	}
	// Under the company's lock: the newest stored tokens if another window or command refreshed them
	// meanwhile (and force is false), else a rotation-safe refresh.
	next, err := t.core.refresh(ctx, t.settings, t.id, force)
	if err != nil {
		return "", err
	}
	t.pre.expiry[t.i], t.pre.refreshedAt[t.i] = next.Expiry, t.core.now()
	// The check's later calls (the site list) use the new token, not the refused one.
	t.pre.tokens[t.i], t.pre.errs[t.i] = vault.Tokens{AccessToken: next.AccessToken}, nil
	return next.AccessToken, nil
}
