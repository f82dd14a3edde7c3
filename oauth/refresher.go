package oauth

import (
	"context"
	"errors"
	"sync"
)

// Refresher makes refreshes single-flight per key (a company): while one refresh of a key is
// on its way, later callers for that key wait for its result instead of sending their own
// request, so a rotated refresh token is never spent twice. The zero value is ready to use;
// share one Refresher across the app and don't copy it.
type Refresher struct {
	mu      sync.Mutex
	flights map[string]*flight
	// joined, when set by a test, is called once a caller has joined or started a refresh.
	joined func()
}

// flight is one refresh request and the callers waiting for it.
type flight struct {
	done    chan struct{}
	res     *Result
	err     error
	sent    bool
	waiting int                // callers that have not given up
	giveUp  context.CancelFunc // called when the last of them gives up
}

// Refresh refreshes cfg.RefreshToken for key, or joins the refresh of key already running,
// with Refresh's critical section: ctx counts only until the request is sent, and only when
// every caller waiting for the same refresh has given up. Once the request is sent, Refresh
// returns its outcome, waiting at most about RefreshTimeout; a caller whose ctx ended in the
// meantime gets the tokens with CallerGaveUp set and must still store them. Each caller gets
// its own copy of the Result. Callers should store the result at once and re-read the stored
// refresh token before the next refresh.
func (r *Refresher) Refresh(ctx context.Context, key string, cfg RefreshConfig) (*Result, error) {
	if ctx.Err() != nil {
		return nil, givenUp(ctx)
	}
	for {
		f := r.join(ctx, key, cfg)
		if r.joined != nil {
			r.joined()
		}
		gaveUp := false
		select {
		case <-f.done:
		case <-ctx.Done():
			gaveUp = true
			r.leave(f)
			<-f.done // before sending the flight stops at once; after, within RefreshTimeout
		}
		if f.err != nil {
			if !f.sent && errors.Is(f.err, errNotSent) && ctx.Err() == nil {
				continue // the flight was given up by others before it left; nothing was sent
			}
			return nil, f.err
		}
		res := *f.res
		res.CallerGaveUp = gaveUp || ctx.Err() != nil
		return &res, nil
	}
}

// join returns the flight for key, starting it when there is none.
func (r *Refresher) join(ctx context.Context, key string, cfg RefreshConfig) *flight {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.flights[key]
	if f == nil {
		interest, giveUp := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), giveUp: giveUp}
		if r.flights == nil {
			r.flights = make(map[string]*flight)
		}
		r.flights[key] = f
		go r.run(key, f, interest, cfg)
	}
	f.waiting++
	return f
}

// leave records that one caller gave up; the last one to go stops a request not yet sent.
func (r *Refresher) leave(f *flight) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f.waiting--
	if f.waiting == 0 {
		f.giveUp()
	}
}

// run sends the refresh and hands its outcome to every caller of the flight.
func (r *Refresher) run(key string, f *flight, interest context.Context, cfg RefreshConfig) {
	defer f.giveUp()
	res, sent, err := refresh(interest, cfg)
	r.mu.Lock()
	delete(r.flights, key)
	f.res, f.sent, f.err = res, sent, err
	r.mu.Unlock()
	close(f.done)
}
