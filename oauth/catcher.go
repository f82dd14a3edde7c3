package oauth

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// catcher answers the browser on the Redirect URI's loopback port while an attempt runs.
// Only a GET on the exact path, addressed to the exact host, with this attempt's state,
// counts; everything else gets a harmless page and leaves the attempt waiting.
type catcher struct{ s *Session }

// ServeHTTP sorts the request, cheapest refusals first.
func (c catcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := c.s
	switch {
	case !s.hostAllowed(r.Host):
		writePage(w, http.StatusMisdirectedRequest, pageWrongHost) // DNS rebinding or a stray request
		return
	case r.URL.Path != s.redirect.path:
		c.other(w, r)
		return
	case r.Method == http.MethodHead:
		setPrivateHeaders(w.Header())
		w.WriteHeader(http.StatusOK) // a link checker or a preview: nothing to consume
		return
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", "GET, HEAD")
		writePage(w, http.StatusMethodNotAllowed, pageMethod)
		return
	case isPrefetch(r):
		// A non-2xx answer makes the browser drop the prefetch and visit for real later.
		writePage(w, http.StatusServiceUnavailable, pagePrefetch)
		return
	case len(r.URL.RawQuery) > maxQueryBytes:
		writePage(w, http.StatusRequestURITooLong, pageTooLong)
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writePage(w, http.StatusBadRequest, pageNoCode)
		return
	}
	c.answer(w, r, classifyCallback(q, s.state, s.c.profile))
}

// other answers requests for paths other than the Redirect URI's, such as /favicon.ico.
func (c catcher) other(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/favicon.ico" {
		setPrivateHeaders(w.Header())
		w.WriteHeader(http.StatusNotFound)
		return
	}
	writePage(w, http.StatusNotFound, pageNotFound)
}

// answer acts on a classified callback: ignore it, end the attempt, or exchange the code.
func (c catcher) answer(w http.ResponseWriter, r *http.Request, cb callback) {
	s := c.s
	switch cb.verdict {
	case verdictBadState:
		writePage(w, http.StatusBadRequest, pageWrongState)
		return
	case verdictWrongIssuer:
		writePage(w, http.StatusBadRequest, pageWrongIssuer)
		return
	case verdictNoCode:
		writePage(w, http.StatusBadRequest, pageNoCode)
		return
	case verdictDenied, verdictProviderError:
		s.end(callbackError(cb))
		c.showOutcome(w, r)
		return
	case verdictBadStore:
		// The browser brought exactly what Lightspeed sent: it won't come again right.
		s.end(consentError(cb.errDesc, cb.missing))
		c.showOutcome(w, r)
		return
	}
	if !s.claim() {
		writePage(w, http.StatusConflict, pageFinished)
		return
	}
	res, err := s.c.exchange(s.base, s.conf, cb.code, s.verifier, cb.store)
	s.finish(res, err)
	c.showOutcome(w, r)
}

// showOutcome tells the browser how the attempt ended, once it has (an exchange started by
// another request may still be running).
func (c catcher) showOutcome(w http.ResponseWriter, r *http.Request) {
	select {
	case <-c.s.done:
	case <-r.Context().Done():
		return
	}
	_, err := c.s.outcome()
	switch {
	case err == nil:
		writePage(w, http.StatusOK, pageSuccess)
	case problem.Is(err, problem.KindAccessDenied):
		writePage(w, http.StatusOK, pageDenied)
	case problem.Is(err, problem.KindProvider):
		writePage(w, http.StatusOK, pageProvider)
	default:
		writePage(w, http.StatusOK, failedPage(problem.Summary(err)))
	}
}

// hostAllowed accepts only the Host header a browser sends for the Redirect URI itself, which
// defeats DNS rebinding: a page on another site can reach the port but not with this Host.
func (s *Session) hostAllowed(host string) bool {
	if strings.EqualFold(host, s.redirect.HostPort) {
		return true
	}
	// A browser drops an explicit :80 from the Host header.
	if s.redirect.port == 80 {
		h := s.redirect.host
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		return strings.EqualFold(host, h)
	}
	return false
}

// isPrefetch spots speculative loads, which must not consume the one-time answer.
func isPrefetch(r *http.Request) bool {
	for _, h := range []string{"Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"} {
		v := strings.ToLower(r.Header.Get(h))
		if strings.Contains(v, "prefetch") || strings.Contains(v, "preview") || strings.Contains(v, "prerender") {
			return true
		}
	}
	return false
}
