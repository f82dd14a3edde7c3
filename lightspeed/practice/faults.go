// Fault injection: one-off failures for tests and benchmarks. The practice mode the app
// ships never uses anything in this file; its behaviour is all in Config. A test reaches
// these through Server.Faults (or the FailNext… shorthands on Server).

package practice

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// errUnknownCompany is returned for a company ID the server does not have.
var errUnknownCompany = errors.New("could not find that demo company")

// Fault is a failure the practice server can be told to answer with, once per request.
// Faults are for tests; Config describes how the server behaves otherwise.
type Fault int

// The faults the server can inject. Token faults answer the token endpoint without looking
// at the request (nothing is used up); API faults answer an API call the same way.
const (
	// FaultServerError answers HTTP 500 with an HTML error page.
	FaultServerError Fault = iota + 1
	// FaultHTML answers HTTP 200 with an HTML page instead of JSON (a proxy or portal page).
	FaultHTML
	// FaultEmpty answers HTTP 200 with an empty body.
	FaultEmpty
	// FaultInvalidGrant answers HTTP 400 {"error":"invalid_grant"}.
	FaultInvalidGrant
	// FaultInvalidClient answers HTTP 401 {"error":"invalid_client"}.
	FaultInvalidClient
	// FaultSlow never answers: it waits until the client gives up or the server closes.
	FaultSlow
	// FaultRateLimited answers HTTP 429 with a Retry-After header (see SetRetryAfter).
	// Lightspeed itself has not been seen sending Retry-After; see the two faults below.
	FaultRateLimited
	// FaultUnauthorized answers HTTP 401 as if the access token were not accepted.
	FaultUnauthorized
	// FaultWrongShape answers HTTP 200 with JSON of the wrong shape (a string).
	FaultWrongShape
	// FaultRateLimitedReset answers HTTP 429 with only X-Ratelimit-Reset (the seconds set
	// with SetRetryAfter), as Lightspeed does.
	FaultRateLimitedReset
	// FaultRateLimitedBare answers HTTP 429 with no header that says how long to wait, as
	// Lightspeed also does.
	FaultRateLimitedBare
	// FaultNone answers normally; queue it before another fault to fail a later request
	// (for example the second page of a list).
	FaultNone
	// FaultRedirect answers HTTP 307 pointing at the same address on another path, as a
	// moved endpoint or a hostile proxy would; a client must not follow it.
	FaultRedirect
)

// Faults queues one-off failures on a server. Get it from Server.Faults.
type Faults struct{ s *Server }

// Faults returns the server's fault injection, for tests.
func (s *Server) Faults() Faults { return Faults{s} }

// NextToken makes the next n token requests fail with f.
func (f Faults) NextToken(n int, fault Fault) { f.s.FailNextToken(n, fault) }

// NextAPI makes the next n API requests fail with f.
func (f Faults) NextAPI(n int, fault Fault) { f.s.FailNextAPI(n, fault) }

// SetRetryAfter sets the wait FaultRateLimited and FaultRateLimitedReset ask for.
func (f Faults) SetRetryAfter(d time.Duration) { f.s.SetRetryAfter(d) }

// FailNextToken makes the next n token requests fail with the given fault (Faults().NextToken).
func (s *Server) FailNextToken(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.tokenFaults = append(s.tokenFaults, f)
	}
}

// FailNextAPI makes the next n API requests fail with the given fault (Faults().NextAPI).
func (s *Server) FailNextAPI(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.apiFaults = append(s.apiFaults, f)
	}
}

// SetRetryAfter sets the wait a FaultRateLimited answer asks for (whole seconds, rounded up).
func (s *Server) SetRetryAfter(d time.Duration) { s.retryAfter.Store(int64(d)) }

// nextFault pops the next queued fault, or 0 for none.
func (s *Server) nextFault(queue *[]Fault) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(*queue) == 0 {
		return 0
	}
	f := (*queue)[0]
	*queue = (*queue)[1:]
	return f
}

// begin does what every token and API answer shares: count the request, wait for the
// latency, set the Date header and serve a queued fault. It reports whether a fault answered.
func (s *Server) begin(w http.ResponseWriter, r *http.Request, counter *atomic.Int64, faults *[]Fault) bool {
	counter.Add(1)
	s.delay(r)
	s.setDate(w)
	if f := s.nextFault(faults); f != 0 && f != FaultNone {
		s.serveFault(w, r, f)
		return true
	}
	return false
}

// serveFault writes the answer for f.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) {
	switch f {
	case FaultServerError:
		writeHTML(w, http.StatusInternalServerError, serverErrorPage, nil)
	case FaultHTML:
		writeHTML(w, http.StatusOK, portalPage, nil)
	case FaultEmpty:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
	case FaultInvalidGrant:
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "The grant is invalid (practice fault).")
	case FaultInvalidClient:
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed (practice fault).")
	case FaultSlow:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
	case FaultRateLimited, FaultRateLimitedReset, FaultRateLimitedBare:
		secs := strconv.Itoa(int(math.Ceil(time.Duration(s.retryAfter.Load()).Seconds())))
		switch f {
		case FaultRateLimited:
			w.Header().Set("Retry-After", secs)
		case FaultRateLimitedReset:
			w.Header().Set("X-Ratelimit-Reset", secs)
		}
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "rate_limited", "error_description": "Too many requests."})
	case FaultRedirect:
		w.Header().Set("Location", issuerOf(r)+"/moved"+r.URL.Path)
		w.WriteHeader(http.StatusTemporaryRedirect)
	case FaultUnauthorized:
		writeUnauthorized(w)
	case FaultWrongShape:
		writeJSON(w, http.StatusOK, "this is not the object you are looking for")
	}
}
