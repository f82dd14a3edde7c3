package oauth

import (
	"context"
	"errors"

	"golang.org/x/sync/singleflight"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// Refresher makes refreshes single-flight per key (a company): while one refresh of a key is
// on its way, later callers for that key wait for its result instead of sending their own
// request, so a rotated refresh token is never spent twice. The zero value is ready to use;
// share one Refresher across the app.
type Refresher struct {
	group singleflight.Group
	// joined, when set by a test, is called once a caller has joined or started a refresh.
	joined func()
}

// Refresh refreshes cfg.RefreshToken for key, or joins the refresh of key already running.
// The request itself is not cancelled when ctx is: once sent, Lightspeed may already have
// rotated the refresh token, and the reply must reach whoever is still waiting. ctx only ends
// this caller's wait. Each caller gets its own copy of the Result. Callers should store the
// result at once and re-read the stored refresh token before the next refresh.
func (r *Refresher) Refresh(ctx context.Context, key string, cfg RefreshConfig) (*Result, error) {
	detached := context.WithoutCancel(ctx)
	ch := r.group.DoChan(key, func() (any, error) {
		return Refresh(detached, cfg)
	})
	if r.joined != nil {
		r.joined()
	}
	select {
	case out := <-ch:
		if out.Err != nil {
			return nil, out.Err
		}
		res := *out.Val.(*Result)
		return &res, nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, problem.New(problem.KindTimeout, msgNetworkTimeout, ctx.Err())
		}
		return nil, problem.New(problem.KindCanceled, msgRefreshCanceled, ctx.Err())
	}
}
