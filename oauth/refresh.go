package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"sync"

	"golang.org/x/oauth2"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// refreshBound is RefreshTimeout; a test shortens it.
var refreshBound = RefreshTimeout

// errNotSent is the cause of a refresh given up before its request left: nothing reached the
// server, so nothing can have been rotated.
var errNotSent = errors.New("the refresh was given up before its request was sent")

// Refresh trades a refresh token for a new access token.
//
// Once its request is sent, a refresh is a critical section: with a server that rotates
// refresh tokens, the old one may be revoked the moment the reply is written, so the reply is
// the only copy of the new one. ctx therefore counts only until the request is handed to the
// network. After that, Refresh waits for the reply under its own bound, RefreshTimeout, even
// when ctx is cancelled or its deadline passes, and returns the new tokens with CallerGaveUp
// set: store them anyway (with a context of your own, not ctx). Before the request is sent, a
// cancelled ctx ends Refresh with KindCanceled (KindTimeout for a deadline) and nothing sent.
//
// When the server rotates the refresh token, the result carries the new one: store it before
// using the access token. When it does not, the result carries the old one, so storing
// RefreshToken is always right. An invalid_grant becomes KindInvalidGrant.
func Refresh(ctx context.Context, cfg RefreshConfig) (*Result, error) {
	res, _, err := refresh(ctx, cfg)
	return res, err
}

// refresh is Refresh that also says whether the request was sent.
func refresh(ctx context.Context, cfg RefreshConfig) (res *Result, sent bool, err error) {
	c, err := newClient(cfg.Profile, cfg.ClientID, cfg.ClientSecret, cfg.HTTPClient, cfg.Now)
	if err != nil {
		return nil, false, err
	}
	if cfg.RefreshToken == "" {
		return nil, false, problem.New(problem.KindInvalidGrant, msgInvalidGrantRefresh, errors.New("no refresh token stored"))
	}
	store, err := c.profile.refreshStore(cfg.ConsentValue)
	if err != nil {
		return nil, false, err
	}
	if ctx.Err() != nil {
		return nil, false, givenUp(ctx)
	}
	gate := &sendGate{}
	reqCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshBound)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		if gate.abort() {
			cancel() // nothing has left yet: stop here
		}
	})
	defer stop()
	reqCtx = context.WithValue(reqCtx, oauth2.HTTPClient, gate.client(c.http))
	reqCtx = httptrace.WithClientTrace(reqCtx, &httptrace.ClientTrace{WroteHeaders: gate.wroteHeaders})
	src := withTokenURL(c.oauth2Config(""), c.profile, store).TokenSource(reqCtx, &oauth2.Token{RefreshToken: cfg.RefreshToken})
	tok, err := src.Token()
	sent, wrote := gate.state()
	if err != nil {
		if !sent && ctx.Err() != nil {
			return nil, false, givenUp(ctx)
		}
		err = mapTokenError(err, phaseRefresh, c.profile.Name, c.now(), c.secret, cfg.RefreshToken)
		if wrote && (problem.Is(err, problem.KindNetwork) || problem.Is(err, problem.KindTimeout)) {
			err = unansweredRefresh(err, c.profile.Name)
		}
		return nil, sent, err
	}
	res = toResult(tok, c.now())
	if res.RefreshToken == "" {
		res.RefreshToken = cfg.RefreshToken
	}
	if err := c.profile.checkReplyStore(tok, store, phaseRefresh); err != nil {
		return nil, true, err
	}
	res.ConsentValue = store
	res.CallerGaveUp = ctx.Err() != nil
	return res, true, nil
}

// givenUp is the problem for a refresh whose caller gave up before anything was sent.
func givenUp(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return problem.New(problem.KindTimeout, msgRefreshNotSentTimeout, errors.Join(errNotSent, ctx.Err()))
	}
	return problem.New(problem.KindCanceled, msgRefreshCanceled, errors.Join(errNotSent, ctx.Err()))
}

// unansweredRefresh replaces "nothing has been lost" for a refresh whose request reached the
// server but whose reply never arrived: the server may have rotated the refresh token.
func unansweredRefresh(err error, profileName string) error {
	pe := problem.New(problem.KindOf(err), sprintfName(msgRefreshUnanswered, profileName), err)
	pe.Detail = problem.Detail(err) + " (after the request was sent)"
	return pe
}

// sendGate is the point of no return of a refresh: the transport it wraps is reached only if
// the caller has not given up, and once it is, giving up no longer stops the request.
type sendGate struct {
	mu      sync.Mutex
	sent    bool // the request was handed to the transport
	aborted bool // the caller gave up first
	wrote   bool // the request's headers were written to a connection
}

// client returns a copy of hc whose transport passes through the gate.
func (g *sendGate) client(hc *http.Client) *http.Client {
	c := *hc
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = gatedTransport{g, base}
	return &c
}

// abort marks the caller as gone; it reports false when the request has already left.
func (g *sendGate) abort() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.sent {
		return false
	}
	g.aborted = true
	return true
}

func (g *sendGate) wroteHeaders() {
	g.mu.Lock()
	g.wrote = true
	g.mu.Unlock()
}

func (g *sendGate) state() (sent, wrote bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sent, g.wrote
}

// gatedTransport refuses to start a request whose caller has given up.
type gatedTransport struct {
	g    *sendGate
	base http.RoundTripper
}

func (t gatedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.g.mu.Lock()
	if t.g.aborted {
		t.g.mu.Unlock()
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, errNotSent
	}
	t.g.sent = true
	t.g.mu.Unlock()
	return t.base.RoundTrip(req)
}
