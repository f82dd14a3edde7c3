package oauth

import (
	"context"
	"net/url"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// parsePasted finds the query in what a person pasted: the whole address the browser ended on,
// or just its "?code=…&state=…" part.
func parsePasted(landed string) (url.Values, error) {
	s := strings.TrimSpace(landed)
	if s == "" {
		return nil, problem.New(problem.KindUsage, msgPasteEmpty, nil)
	}
	if len(s) > maxQueryBytes+2048 {
		return nil, problem.New(problem.KindUsage, msgPasteGarbage, nil)
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	var query string
	switch i := strings.IndexByte(s, '?'); {
	case i >= 0:
		query = s[i+1:]
	case strings.Contains(s, "=") && !strings.Contains(s, "://"):
		query = s
	default:
		return nil, problem.New(problem.KindUsage, msgPasteGarbage, nil)
	}
	q, err := url.ParseQuery(query)
	if err != nil || len(q) == 0 {
		return nil, problem.New(problem.KindUsage, msgPasteGarbage, nil)
	}
	return q, nil
}

// Paste finishes the flow from the address the browser ended on, pasted by the person: the
// fallback when the Redirect URI is not catchable, and a second way in when it is. The state
// must match this attempt; a wrong one is refused and the attempt goes on waiting. A good
// answer is exchanged at once. If the attempt already has its answer (caught, or pasted
// before), Paste returns the attempt's outcome rather than spending a second code.
func (s *Session) Paste(ctx context.Context, landed string) (*Result, error) {
	q, err := parsePasted(landed)
	if err != nil {
		return nil, err
	}
	cb := classifyCallback(q, s.state)
	switch cb.verdict {
	case verdictBadState:
		return nil, problem.New(problem.KindStateMismatch, msgStateMismatch, nil)
	case verdictNoCode:
		if q.Has("response_type") || q.Has("client_id") {
			return nil, problem.New(problem.KindUsage, msgPasteAuthorize, nil)
		}
		return nil, problem.New(problem.KindUsage, msgPasteNoCode, nil)
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
	res, err := s.c.exchange(ctx, s.conf, cb.code, s.verifier)
	s.finish(res, err)
	return s.outcome()
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
