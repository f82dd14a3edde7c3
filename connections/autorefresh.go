package connections

import (
	"context"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// refreshDue refreshes, once, every company whose access token expires within RefreshMargin,
// except those whose last failure says only reconnecting helps and those handed off to the
// integration. It returns what it did.
func (c *Core) refreshDue(ctx context.Context) ([]RefreshResult, error) {
	st, err := c.load(ctx)
	if IsReadOnly(err) {
		return nil, nil // a newer version's tokens: refreshed by it, never behind its back
	}
	if err != nil {
		return nil, err
	}
	var due []int64
	for _, co := range st.Companies {
		if c.isDue(co) {
			due = append(due, co.ID)
		}
	}
	if len(due) == 0 {
		return nil, nil
	}
	return c.RefreshAll(ctx, due...)
}

func (c *Core) isDue(co vault.Company) bool {
	if co.HandedOff != nil || statusOf(co, nil).Status == StatusNeedsReconnect {
		return false
	}
	return co.AccessExpiry.Before(c.now().Add(RefreshMargin))
}

// AutoRefresh keeps access tokens fresh while the window runs: every interval (default
// defaultAutoRefreshInterval) it calls refreshDue, and reports each result to done (which
// may be nil) so the window can redraw and notify. It returns when ctx ends.
func (c *Core) AutoRefresh(ctx context.Context, interval time.Duration, done func([]RefreshResult, error)) {
	if interval <= 0 {
		interval = defaultAutoRefreshInterval
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		results, err := c.refreshDue(ctx)
		if done != nil && (len(results) > 0 || err != nil) && ctx.Err() == nil {
			done(results, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
