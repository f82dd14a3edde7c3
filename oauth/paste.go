package oauth

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// parsePasted reads what a person pasted: the whole address the browser ended on. It returns
// the address and its query; the fragment, which a browser never sends, is dropped.
func parsePasted(landed string) (*url.URL, url.Values, error) {
	s := strings.TrimSpace(landed)
	if s == "" {
		return nil, nil, problem.New(problem.KindUsage, msgPasteEmpty, nil)
	}
	if len(s) > maxQueryBytes+2048 {
		return nil, nil, problem.New(problem.KindUsage, msgPasteGarbage, nil)
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme == "" && strings.Contains(s, "=")) {
		return nil, nil, problem.New(problem.KindUsage, msgPasteGarbage, nil)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil || len(q) == 0 {
		return nil, nil, problem.New(problem.KindUsage, msgPasteGarbage, nil)
	}
	return u, q, nil
}

// atRedirect reports whether a pasted address is the Redirect URI's: the same scheme, host,
// port (https://x/cb is https://x:443/cb) and path. The browser only ends there when the
// answer was sent to this app; an answer shown at any other address went somewhere else first.
func atRedirect(landed *url.URL, redirect RedirectURI) bool {
	want, err := url.Parse(redirect.raw)
	if err != nil || landed.Opaque != "" || landed.User != nil || !sameOrigin(landed, want) {
		return false
	}
	path := landed.Path
	if path == "" {
		path = "/" // a browser asks for "/" when the address has no path
	}
	return path == redirect.path
}

// Paste finishes the flow from the address the browser ended on, pasted by the person: the
// fallback when the Redirect URI is not catchable, and a second way in when it is. The address
// must be the Redirect URI's (scheme, host, port and path), its state this attempt's and its
// iss, if any, the expected issuer; anything else is refused and the attempt goes on waiting. A good
// answer is exchanged at once. If the attempt already has its answer (caught, or pasted
// before), Paste returns the attempt's outcome rather than spending a second code.
func (s *Session) Paste(ctx context.Context, landed string) (*Result, error) {
	u, q, err := parsePasted(landed)
	if err != nil {
		return nil, err
	}
	if !q.Has("code") && !q.Has("error") && (q.Has("response_type") || q.Has("client_id")) {
		return nil, problem.New(problem.KindUsage, msgPasteAuthorize, nil)
	}
	if !atRedirect(u, s.redirect) {
		return nil, problem.New(problem.KindUsage, fmt.Sprintf(msgPasteElsewhere, s.redirect.raw), nil)
	}
	cb := classifyCallback(q, s.state, s.c.profile)
	switch cb.verdict {
	case verdictBadState:
		return nil, problem.New(problem.KindStateMismatch, msgStateMismatch, nil)
	case verdictWrongIssuer:
		return nil, issuerError(cb)
	case verdictNoCode:
		return nil, problem.New(problem.KindUsage, msgPasteNoCode, nil)
	case verdictBadStore:
		// A pasted address may have lost its end: say why and keep waiting.
		if cb.missing {
			return nil, problem.New(problem.KindUsage, msgPasteNoStore, nil).WithDetail("%s", cb.errDesc)
		}
		return nil, consentError(cb.errDesc, false)
	case verdictDenied, verdictProviderError:
		s.end(callbackError(cb))
		return s.Wait(ctx)
	}
	if !s.claim() {
		return s.Wait(ctx)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.base, cancel)
	defer stop()
	res, err := s.c.exchange(ctx, s.conf, cb.code, s.verifier, cb.store)
	s.finish(res, err)
	return s.outcome()
}

// issuerError is the problem for an answer whose iss names another server.
func issuerError(cb callback) error {
	return problem.New(problem.KindStateMismatch, msgIssuerMismatch, nil).
		WithFix(problem.Fix{Action: problem.ActionSetUp}).WithDetail("authorization response iss=%s is not the expected issuer", quoteDetail(cb.errCode))
}

// callbackError is the problem for an OAuth error delivered with the right state.
func callbackError(cb callback) error {
	if cb.verdict == verdictDenied {
		return problem.New(problem.KindAccessDenied, msgAccessDenied, nil).
			WithDetail("authorize answered error=access_denied")
	}
	pe := problem.New(problem.KindProvider, msgProviderCallback, nil).
		WithDetail("authorize answered error=%s", cb.errCode)
	if cb.errDesc != "" {
		pe.Detail += ", description=" + quoteDetail(cb.errDesc)
	}
	return pe
}

// quoteDetail quotes provider text so that a support reader sees where it starts and ends.
func quoteDetail(s string) string { return `"` + strings.ReplaceAll(s, `"`, `'`) + `"` }
