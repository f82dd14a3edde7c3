package oauth

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// TestRefreshCriticalSection: a token endpoint that holds its answer; the caller's context
// ends (cancelled, or its deadline passes) after the request arrived; the new tokens still
// come back, flagged CallerGaveUp, and they are the only ones that work (strict rotation).
func TestRefreshCriticalSection(t *testing.T) {
	for _, how := range []string{"cancel", "deadline"} {
		t.Run(how, func(t *testing.T) {
			f := newFakeAS(t, "")
			f.rotate = true
			f.refresh["RT-0-secretish"] = true
			release, arrived := f.hold(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var expire func()
			if how == "deadline" {
				var dl *expiringCtx
				dl, expire = newExpiringCtx()
				ctx = dl
			}
			type outcome struct {
				res *Result
				err error
			}
			out := make(chan outcome, 1)
			go func() { res, err := Refresh(ctx, refreshCfg(f, "RT-0-secretish")); out <- outcome{res, err} }()
			<-arrived
			if expire != nil {
				expire()
			} else {
				cancel()
			}
			select {
			case o := <-out:
				t.Fatalf("Refresh returned before the reply: %v", o.err)
			case <-time.After(200 * time.Millisecond):
			}
			release()
			o := <-out
			if o.err != nil {
				t.Fatalf("the reply was thrown away: %v (%s)", o.err, problem.Detail(o.err))
			}
			if rotated := o.res.RefreshToken != "RT-0-secretish"; !o.res.CallerGaveUp || !rotated || o.res.AccessToken == "" {
				t.Fatalf("result: gave up %v, rotated %v", o.res.CallerGaveUp, rotated)
			}
			f.mu.Lock()
			f.holdTokens, f.arrived = nil, nil
			f.mu.Unlock()
			if _, err := Refresh(context.Background(), refreshCfg(f, o.res.RefreshToken)); err != nil {
				t.Fatalf("the returned refresh token doesn't work: %v", err)
			}
		})
	}
}

// TestRefreshNotSent: a caller gone before the request leaves stops it; nothing reaches the
// server and the sentence may say nothing has been lost.
func TestRefreshNotSent(t *testing.T) {
	f := newFakeAS(t, "")
	f.refresh["RT-0-secretish"] = true
	for _, tc := range []struct {
		ctx  func() context.Context
		kind problem.Kind
	}{
		{func() context.Context { c, cancel := context.WithCancel(context.Background()); cancel(); return c }, problem.KindCanceled},
		{func() context.Context {
			c, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			_ = cancel
			return c
		}, problem.KindTimeout},
	} {
		_, err := Refresh(tc.ctx(), refreshCfg(f, "RT-0-secretish"))
		if !problem.Is(err, tc.kind) || !errors.Is(err, errNotSent) {
			t.Errorf("got %q %v, want %q", problem.KindOf(err), err, tc.kind)
		}
	}
	if n := len(f.tokenRequests()); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}

// TestRefreshGateBeforeTransport: the gate refuses a request whose caller gave up before it
// reached the transport, and lets one through otherwise; once through, giving up is refused.
func TestRefreshGateBeforeTransport(t *testing.T) {
	var reached int
	base := roundTripFunc(func(*http.Request) (*http.Response, error) { reached++; return nil, errors.New("stop") })
	g := &sendGate{}
	c := g.client(&http.Client{Transport: base})
	if !g.abort() {
		t.Fatal("abort before sending refused")
	}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/token", nil)
	if _, err := c.Do(req); !errors.Is(err, errNotSent) || reached != 0 {
		t.Fatalf("an aborted request went on: %v, %d", err, reached)
	}
	g = &sendGate{}
	c = g.client(&http.Client{Transport: base})
	_, _ = c.Do(req)
	if sent, _ := g.state(); !sent || reached != 1 || g.abort() {
		t.Fatal("a sent request could still be aborted")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRefreshUnanswered: a server that takes the request and drops the connection gets a
// sentence that doesn't claim nothing was lost, since it may have rotated the token.
func TestRefreshUnanswered(t *testing.T) {
	f := newFakeAS(t, "")
	f.tokenHook = func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	_, err := Refresh(context.Background(), refreshCfg(f, "RT-0-secretish"))
	if !problem.Is(err, problem.KindNetwork) || problem.Summary(err) != "Lightspeed received the refresh but its answer never arrived. Try again; if the connection is then no longer accepted, reconnect the company." {
		t.Fatalf("got %q %q (%s)", problem.KindOf(err), problem.Summary(err), problem.Detail(err))
	}
}

// expiringCtx is a context whose deadline passes when the test says so, so that "the deadline
// passed after the request was sent" needs no race with a clock.
type expiringCtx struct {
	context.Context
	done chan struct{}
}

func newExpiringCtx() (*expiringCtx, func()) {
	c := &expiringCtx{Context: context.Background(), done: make(chan struct{})}
	return c, func() { close(c.done) }
}

func (c *expiringCtx) Deadline() (time.Time, bool) { return time.Now().Add(time.Hour), true }
func (c *expiringCtx) Done() <-chan struct{}       { return c.done }
func (c *expiringCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// TestRefreshBounded: once sent, a refresh whose caller gave up still ends, within its own
// bound, when the server never answers; the sentence doesn't claim nothing was lost.
func TestRefreshBounded(t *testing.T) {
	old := refreshBound
	refreshBound = 300 * time.Millisecond
	defer func() { refreshBound = old }()
	f := newFakeAS(t, "")
	f.refresh["RT-0-secretish"] = true
	_, arrived := f.hold(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan error, 1)
	go func() { _, err := Refresh(ctx, refreshCfg(f, "RT-0-secretish")); out <- err }()
	<-arrived
	cancel()
	err := <-out
	if !problem.Is(err, problem.KindTimeout) || problem.Summary(err) != "Lightspeed received the refresh but its answer never arrived. Try again; if the connection is then no longer accepted, reconnect the company." {
		t.Fatalf("got %q %q (%s)", problem.KindOf(err), problem.Summary(err), problem.Detail(err))
	}
}
