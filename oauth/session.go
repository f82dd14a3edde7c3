package oauth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// stage is where a connect attempt stands; it only moves forward.
type stage int

const (
	stageWaiting    stage = iota // no answer yet
	stageExchanging              // a code was claimed and is being exchanged
	stageDone                    // result or error is final
)

// Session is one connect attempt. Start makes it (and binds the listener for a catchable
// Redirect URI); the caller opens AuthURL however it likes, then calls Wait, or Paste with the
// address the browser ended on. Close always releases the listener. Its methods are safe for
// concurrent use, so a window can Wait in one goroutine and Paste or Close from another.
type Session struct {
	c        client
	conf     *oauth2.Config
	redirect RedirectURI
	state    string
	verifier string
	authURL  string
	deadline time.Time

	listeners []net.Listener
	servers   []*http.Server

	base   context.Context // ends when the attempt ends; in-flight exchanges use it
	cancel context.CancelFunc

	mu        sync.Mutex
	stage     stage
	result    *Result
	err       error
	timer     *time.Timer
	done      chan struct{}
	closeOnce sync.Once
}

// Start checks cfg, makes the state and the PKCE verifier (unless the profile sets NoPKCE) and,
// for a catchable Redirect URI, binds the loopback listener at once, so that a port in use is
// reported (KindPortInUse) before any browser opens. The Timeout starts now. ctx bounds only
// Start itself; use Wait's ctx or Close to end the attempt.
func Start(ctx context.Context, cfg Config) (*Session, error) {
	c, err := newClient(cfg.Profile, cfg.ClientID, cfg.ClientSecret, cfg.HTTPClient, cfg.Now)
	if err != nil {
		return nil, err
	}
	redirect, err := c.profile.CheckRedirectURI(cfg.RedirectURI)
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	s := &Session{c: c, conf: c.oauth2Config(redirect.raw), redirect: redirect, state: randomState(), done: make(chan struct{})}
	var opts []oauth2.AuthCodeOption
	if !c.profile.NoPKCE {
		s.verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.S256ChallengeOption(s.verifier))
	}
	s.authURL = s.conf.AuthCodeURL(s.state, opts...)
	s.base, s.cancel = context.WithCancel(context.Background())
	if redirect.catchable {
		if err := s.listen(ctx); err != nil {
			s.cancel()
			return nil, err
		}
	}
	s.startTimer(timeout)
	return s, nil
}

// startTimer arms the consent timeout once the listeners are in place (the timer's goroutine
// closes them, so they must be set before it exists).
func (s *Session) startTimer(timeout time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deadline = time.Now().Add(timeout)
	s.timer = time.AfterFunc(timeout, func() {
		s.end(ConsentTimeout())
	})
}

// AuthURL is the consent address to open in the browser (it carries the state, so show it to
// the person only as a link to open or copy).
func (s *Session) AuthURL() string { return s.authURL }

// Catchable reports whether the app catches the browser's answer itself; when false, the
// person pastes the address the browser ends on (see Paste).
func (s *Session) Catchable() bool { return s.redirect.catchable }

// Deadline is when the attempt times out, for a countdown.
func (s *Session) Deadline() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deadline
}

// Wait waits for the browser's answer (or a Paste), which is exchanged the moment it arrives,
// and returns the tokens. It ends with KindTimeout when the Timeout passes, KindCanceled when
// ctx is cancelled (KindTimeout when ctx's deadline passes), KindAccessDenied when the person
// declined; the listener is closed in every case. Calling it again returns the same outcome.
func (s *Session) Wait(ctx context.Context) (*Result, error) {
	select {
	case <-s.done:
	case <-ctx.Done():
		s.finish(nil, contextProblem(ctx.Err()))
		<-s.done
	}
	return s.outcome()
}

// Close ends the attempt (a Wait still running returns KindCanceled) and releases the
// listener. It is safe to call more than once and after Wait.
func (s *Session) Close() error {
	s.finish(nil, problem.New(problem.KindCanceled, msgCanceled, context.Canceled))
	s.shutdown()
	return nil
}

// contextProblem is the problem for a caller's context that ended.
func contextProblem(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return problem.New(problem.KindTimeout, msgConsentTimeout, err)
	}
	return problem.New(problem.KindCanceled, msgCanceled, err)
}

// claim moves a waiting attempt to exchanging; only one answer ever gets to exchange.
func (s *Session) claim() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stage != stageWaiting {
		return false
	}
	s.stage = stageExchanging
	if s.timer != nil { // nil only before Start returns, when no one knows the state yet
		s.timer.Stop() // the exchange has its own deadline; the person already did their part
	}
	return true
}

// end finishes a waiting attempt with err (timeout, denial); an exchange in progress wins.
func (s *Session) end(err error) { s.finishFrom(stageWaiting, nil, err) }

// finish records the final outcome unless there already is one.
func (s *Session) finish(res *Result, err error) { s.finishFrom(stageExchanging, res, err) }

// finishFrom records the outcome if the attempt has not moved past stage limit. The listeners
// are closed before Done is, so that nothing answers on the port once Wait returns.
func (s *Session) finishFrom(limit stage, res *Result, err error) {
	s.mu.Lock()
	if s.stage > limit || s.stage == stageDone {
		s.mu.Unlock()
		return
	}
	s.stage, s.result, s.err = stageDone, res, err
	s.mu.Unlock()
	s.shutdown()
	close(s.done)
}

// outcome returns the final result (a copy) or error.
func (s *Session) outcome() (*Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil || s.result == nil {
		return nil, s.err
	}
	res := *s.result
	return &res, nil
}

// shutdown stops the timer, closes the listeners at once and lets the servers finish the page
// they are writing in the background.
func (s *Session) shutdown() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		if s.timer != nil {
			s.timer.Stop()
		}
		s.mu.Unlock()
		for _, ln := range s.listeners {
			_ = ln.Close()
		}
		s.cancel()
		for _, srv := range s.servers {
			go drain(srv)
		}
	})
}

// drainTimeout is how long a finished attempt's server may take to send its last page.
const drainTimeout = 5 * time.Second

// drain shuts a server down gracefully, then for good.
func drain(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	_ = srv.Shutdown(ctx)
	_ = srv.Close()
}
