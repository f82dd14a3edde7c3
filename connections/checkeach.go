package connections

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// CheckEach is Check for a face that shows progress: it probes the given companies (all
// when ids is empty), at most Parallelism at a time, and calls each with a company's new
// status as soon as it is checked and recorded, from a goroutine of its own (one call at a
// time, never concurrently). It returns when every check has ended.
//
// Cancelling ctx stops it early: no new check starts, the checks in flight are abandoned,
// and a company whose check was cut short keeps the status it had (it is neither recorded nor
// passed to each). Checks finished before the cancel are recorded. The error is the one that
// stopped anything from being checked (no settings, keyring or state unavailable), or
// KindCanceled when ctx ended first; per-company failures are in each status.
func (c *Core) CheckEach(ctx context.Context, ids []int64, each func(CompanyStatus)) error {
	s, companies, err := c.settingsAndCompanies(ctx, ids)
	if err != nil {
		return err
	}
	results := make(chan checked, len(companies))
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		c.recordAsTheyCome(context.WithoutCancel(ctx), results, each)
	}()
	pre := c.prefetchTokens(ctx, companies)
	var g errgroup.Group
	g.SetLimit(c.parallelism)
	for i, co := range companies {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			check := c.checkOne(ctx, s, co, pre.source(c, s, co, i))
			if ctx.Err() != nil && check.ErrorKind != "" {
				return nil // cut short: the company keeps what it had
			}
			results <- checked{id: co.ID, check: check}
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

// checked is one company's finished check, on its way to the state file.
type checked struct {
	id    int64
	check vault.Check
}

// recordAsTheyCome writes finished checks to the state as they arrive, all that are waiting
// in one write (so 500 companies cost a handful of writes, not 500), then passes each new
// status on. It ends when results is closed and drained.
func (c *Core) recordAsTheyCome(ctx context.Context, results <-chan checked, each func(CompanyStatus)) {
	var mu sync.Mutex // each is called one at a time
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
		statuses := c.recordBatch(ctx, batch)
		mu.Lock()
		for _, cs := range statuses {
			each(cs)
		}
		mu.Unlock()
	}
}

// recordBatch stores a batch of checks in one write and returns the companies' new statuses.
// When the write fails (a full disk, the lock held too long) the statuses are still returned,
// built from the state as read, so the face shows what the check found.
func (c *Core) recordBatch(ctx context.Context, batch []checked) []CompanyStatus {
	var out []CompanyStatus
	apply := func(st *vault.State) {
		out = out[:0]
		for i := range batch {
			rec := st.Company(batch[i].id)
			if rec == nil { // disconnected meanwhile
				continue
			}
			rec.LastCheck = &batch[i].check
			if batch[i].check.ErrorKind == "" {
				rec.LastError = nil
			}
			out = append(out, statusOf(*rec))
		}
	}
	err := c.vault.Store.Update(ctx, func(st *vault.State) error { apply(st); return nil })
	if err == nil {
		return out
	}
	if st, lerr := c.vault.Store.Load(ctx); lerr == nil {
		apply(st)
		return out
	}
	return nil
}

// prefetched are the access tokens of one check, read from the keyring ahead of the checks
// that use them, so the keyring's round trips overlap the network's instead of adding to
// them. The keyring answers one call at a time on some systems (GNOME Keyring takes a few
// milliseconds a call, each call several D-Bus round trips), so a check of 200 companies
// could spend as long in the keyring as waiting for Lightspeed: done in turn, the two would
// add up. So the reads go ahead, in the checks' order, at most Parallelism at a time; they
// never take the state lock (a check only reads); and each reads the access token alone, the
// one thing a check sends. A stale or missing access token goes the refresh way, which reads
// the refresh token too, under the lock.
type prefetched struct {
	ready  []chan struct{}
	tokens []vault.Tokens
	errs   []error
}

func (c *Core) prefetchTokens(ctx context.Context, companies []vault.Company) *prefetched {
	p := &prefetched{ready: make([]chan struct{}, len(companies)), tokens: make([]vault.Tokens, len(companies)), errs: make([]error, len(companies))}
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

// source is the token source for the check of companies[i].
func (p *prefetched) source(c *Core, s Settings, co vault.Company, i int) checkTokens {
	return checkTokens{companyTokens: companyTokens{core: c, settings: s, id: co.ID}, expiry: co.AccessExpiry, pre: p, i: i}
}

// checkTokens is a company's token source during a check: the prefetched access token while
// it is fresh. When it is stale (or Lightspeed refused it) the rotation-safe path
// takes over: under the lock, the newest tokens are re-read and refreshed.
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
		if t.core.fresh(cur) {
			return cur.AccessToken, nil
		}
	}
	return t.companyTokens.AccessToken(ctx, force)
}
