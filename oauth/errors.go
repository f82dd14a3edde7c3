package oauth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// ConsentTimeout is the failure of a consent whose answer didn't come back in time, whoever
// noticed: the catcher's timer, or a screen waiting for an address to be pasted.
func ConsentTimeout() error {
	return problem.New(problem.KindTimeout, msgConsentTimeout, errors.New("no answer from the browser in time"))
}

// Plain sentences for the failures this package understands (the wording rules are in docs/ux.md).
const (
	msgInvalidClient         = "Lightspeed didn't accept the Client ID and Secret. Copy them again from the integration's settings."
	msgInvalidGrantConnect   = "The approval expired before the app could use it. Please connect again — it only takes a moment."
	msgInvalidGrantRefresh   = "Lightspeed no longer accepts this connection. Reconnect to restore it; your other companies are unaffected."
	msgNetwork               = "Couldn't reach Lightspeed. Check the internet connection and try again; nothing has been lost."
	msgNetworkTimeout        = "Lightspeed took too long to answer. Check the internet connection and try again; nothing has been lost."
	msgServerConnect         = "Lightspeed had a problem on its side and couldn't finish connecting. Wait a minute, then connect again."
	msgServerRefresh         = "Lightspeed had a problem on its side. Try again in a few minutes; nothing has been lost."
	msgBadReply              = "Lightspeed's answer couldn't be understood. Try again; if it keeps happening, copy the diagnostics and send them to support."
	msgNoRefreshToken        = "Lightspeed connected but sent no refresh token, so the connection would stop within an hour. Connect again; if it keeps happening, copy the diagnostics and send them to support."
	msgProviderToken         = "Lightspeed refused the request. Try again; if it keeps happening, copy the diagnostics and send them to support."
	msgAccessDenied          = "Access wasn't granted in Lightspeed. If that was a mistake, connect again and approve access."
	msgProviderCallback      = "Lightspeed reported a problem instead of granting access. Connect again; if it keeps happening, copy the diagnostics and send them to support."
	msgConsentTimeout        = "Nothing came back from Lightspeed in time. Connect again, and finish signing in within a few minutes."
	msgCanceled              = "Connecting was cancelled. Nothing has changed; you can connect again at any time."
	msgRefreshCanceled       = "The refresh was cancelled before it finished. Nothing has been lost; try again."
	msgPortInUse             = "Another program is using port %d, which the Redirect URI needs. Close that program, or register a different port in Lightspeed and enter it here."
	msgPortForbidden         = "This computer doesn't let the app use port %d, which the Redirect URI needs. Register a different port in Lightspeed, for example 8765, and enter it here."
	msgNoIPv6                = "This computer doesn't offer the address [::1]. Register http://127.0.0.1:%d%s in Lightspeed and enter it here instead."
	msgProbeNetwork          = "Couldn't reach Lightspeed at %s. Check the internet connection, then try again — before signing in."
	msgPasteEmpty            = "Paste the whole address from the browser's address bar, once access is approved."
	msgPasteGarbage          = "This doesn't look like the address Lightspeed sent the browser to. Copy the whole address from the browser's address bar once access is approved, and paste it here."
	msgPasteAuthorize        = "This is the address of Lightspeed's sign-in page, not its answer. Sign in and approve access, then copy the address the browser ends on."
	msgPasteNoCode           = "This address doesn't contain Lightspeed's approval. Copy the whole address the browser ends on once access is approved."
	msgStateMismatch         = "This address belongs to a different or older connect attempt. Use the browser tab this attempt opened, or connect again."
	msgPasteElsewhere        = "This isn't an address at the Redirect URI, %s, so the app didn't use it. Paste the whole address the browser ends on after approving; if it is a different one, check that the Redirect URI here matches the one registered for the integration."
	msgIssuerMismatch        = "This answer names a different sign-in server than the one this connection uses, so the app didn't use it. Check the sign-in address the app was given for the integration, then connect again."
	msgRefreshNotSentTimeout = "The refresh ran out of time before it was sent. Nothing has been lost; try again."
	msgRefreshUnanswered     = "%s received the refresh but its answer never arrived. Try again; if the connection is then no longer accepted, reconnect the company."
	msgTokenMoved            = "%s token address answered that it has moved, so the app sent nothing further. Check the token address the app was given for the integration."
	msgTokenBusy             = "%s is busy; try again in %d s."
)

// phase says which grant failed, because invalid_grant means different things to a person.
type phase int

const (
	phaseConnect phase = iota
	phaseRefresh
)

// mapTokenError turns a failed token request into a *problem.Error. The cause kept inside is a
// sanitized error: oauth2's own errors may carry the reply body, which is never shown or kept.
func mapTokenError(err error, ph phase, profileName string, now time.Time, secrets ...string) error {
	if err == nil {
		return nil
	}
	if pe := problem.As(err); pe != nil {
		return err
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return mapRetrieveError(re, ph, profileName, now, secrets)
	}
	var ue *url.Error
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return canceledError(ph, err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return problem.New(problem.KindTimeout, msgNetworkTimeout, errors.New("token request timed out")).
			WithDetail("%s token request: no answer in time", profileName)
	case errors.As(err, &ue):
		return problem.New(problem.KindNetwork, msgNetwork, ue.Err).
			WithDetail("%s token request: %s", profileName, safeText(ue.Err.Error(), 200))
	}
	return mapLibraryError(err, ph, profileName)
}

// canceledError is the problem for a token request stopped by its caller.
func canceledError(ph phase, cause error) error {
	if ph == phaseRefresh {
		return problem.New(problem.KindCanceled, msgRefreshCanceled, cause)
	}
	return problem.New(problem.KindCanceled, msgCanceled, cause)
}

// mapLibraryError sorts oauth2's unwrapped errors by their fixed wording; the wording of
// the reply itself is never copied.
func mapLibraryError(err error, ph phase, profileName string) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "missing access_token"):
		return badReply("the reply had no access_token", profileName)
	case strings.Contains(msg, "cannot parse"):
		return badReply("the reply was neither JSON nor form data", profileName)
	case strings.Contains(msg, "cannot fetch token"):
		return problem.New(problem.KindNetwork, msgNetwork, errors.New("token reply cut off")).
			WithDetail("%s token request: the reply was cut off", profileName)
	}
	return badReply("unexpected failure", profileName)
}

// badReply is the problem for a token reply that is not a token.
func badReply(detail, profileName string) error {
	return problem.New(problem.KindBadReply, msgBadReply, errors.New(detail)).
		WithDetail("%s token request: %s", profileName, detail)
}

// mapRetrieveError maps the token endpoint's error reply. Its body is left out everywhere: a
// server may echo the request, which holds the code, the refresh token or the secret.
func mapRetrieveError(re *oauth2.RetrieveError, ph phase, profileName string, now time.Time, secrets []string) error {
	status := 0
	var header http.Header
	if re.Response != nil {
		status, header = re.Response.StatusCode, re.Response.Header
	}
	code := safeText(re.ErrorCode, 64)
	desc := safeText(scrub(re.ErrorDescription, secrets), 200)
	detail := tokenDetail(status, code, desc)
	cause := errors.New(detail)
	var kind problem.Kind
	var msg string
	switch {
	case status >= 300 && status < 400:
		return movedError(status, header, profileName)
	case status == http.StatusTooManyRequests:
		return busyError(header, profileName, now)
	case code == "invalid_client" || (code == "" && status == 401):
		kind, msg = problem.KindInvalidClient, msgInvalidClient
	case code == "invalid_grant" && ph == phaseConnect:
		kind, msg = problem.KindInvalidGrant, msgInvalidGrantConnect
	case code == "invalid_grant":
		kind, msg = problem.KindInvalidGrant, msgInvalidGrantRefresh
	case status >= 500 && ph == phaseConnect:
		kind, msg = problem.KindServer, msgServerConnect
	case status >= 500:
		kind, msg = problem.KindServer, msgServerRefresh
	case code != "":
		kind, msg = problem.KindProvider, msgProviderToken
	default:
		kind, msg = problem.KindBadReply, msgBadReply
	}
	return problem.New(kind, msg, cause).WithDetail("%s", detail)
}

// tokenDetail is the support line for a token endpoint's error reply.
func tokenDetail(status int, code, desc string) string {
	parts := []string{fmt.Sprintf("token endpoint answered HTTP %d", status)}
	if code != "" {
		parts = append(parts, "error="+code)
	}
	if desc != "" {
		parts = append(parts, fmt.Sprintf("description=%q", desc))
	}
	return strings.Join(parts, ", ")
}

// safeText keeps a provider-supplied string printable and short before it goes into a detail
// line; it may come from a URL anyone can craft.
func safeText(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return s
}

// scrub blanks out any secret that a provider echoed in its error text, plain or URL-encoded.
func scrub(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
			s = strings.ReplaceAll(s, form, "[redacted]")
		}
	}
	return s
}

// movedError is the problem for a token endpoint that answered with a redirect. The redirect
// is never followed: following it would send the client secret and the code or refresh token
// again, to wherever it points.
func movedError(status int, header http.Header, profileName string) error {
	detail := fmt.Sprintf("token endpoint answered HTTP %d; the redirect was not followed", status)
	if loc, err := url.Parse(header.Get("Location")); err == nil && loc.Host != "" {
		detail += ", it pointed to host " + safeText(loc.Host, 100) // the host only: a query may echo secrets
	}
	return problem.New(problem.KindProvider, fmt.Sprintf(msgTokenMoved, sentenceStart(possessive(profileName))), errors.New(detail)).
		WithFix(problem.Fix{Action: problem.ActionSetUp}).WithDetail("%s", detail)
}

// Bounds of a 429's advertised wait, as said to people.
const (
	// defaultBusyWait is the wait when a 429 says nothing: Lightspeed's limits are per minute.
	defaultBusyWait = time.Minute
	// maxBusyWait caps a header's wait; a larger one is a misread header or a broken server.
	maxBusyWait = 10 * time.Minute
)

// busyError is the problem for a token endpoint that answered 429 Too Many Requests.
func busyError(header http.Header, profileName string, now time.Time) error {
	wait, source := retryWait(header, now)
	if source == "" {
		wait, source = defaultBusyWait, "no Retry-After or X-Ratelimit-Reset; assumed one minute"
	}
	secs := int64((wait + time.Second - 1) / time.Second)
	detail := fmt.Sprintf("token endpoint answered HTTP 429; wait %d s (%s)", secs, source)
	return problem.New(problem.KindRateLimited, fmt.Sprintf(msgTokenBusy, sentenceStart(profileName), secs), errors.New(detail)).
		WithFix(problem.Fix{Action: problem.ActionSetUp}).WithDetail("%s", detail)
}

// retryWait reads how long a 429 asks to wait: Retry-After first (seconds or an HTTP date, RFC
// 9110 §10.2.3), then X-Ratelimit-Reset, which servers send either as seconds to wait or as the
// Unix time of the reset (in seconds, or in milliseconds). The wait is at least one second and
// at most maxBusyWait. source names the header used, "" when neither is usable.
func retryWait(h http.Header, now time.Time) (wait time.Duration, source string) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			return clampWait(secondsDuration(float64(n))), "Retry-After"
		}
		if t, err := http.ParseTime(v); err == nil {
			return clampWait(t.Sub(now)), "Retry-After date"
		}
	}
	if v := strings.TrimSpace(h.Get("X-Ratelimit-Reset")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err == nil && f >= 0 && !math.IsInf(f, 0) && !math.IsNaN(f) {
			switch {
			case f >= 1e12: // Unix time in milliseconds
				return clampWait(time.UnixMilli(int64(f)).Sub(now)), "X-Ratelimit-Reset as Unix time in ms"
			case f >= 1e9: // Unix time in seconds (2001 onwards); no wait is that long
				return clampWait(time.Unix(int64(f), 0).Sub(now)), "X-Ratelimit-Reset as Unix time"
			default:
				return clampWait(secondsDuration(f)), "X-Ratelimit-Reset as seconds"
			}
		}
	}
	return 0, ""
}

// secondsDuration converts seconds to a Duration without overflowing.
func secondsDuration(secs float64) time.Duration {
	if secs > maxBusyWait.Seconds() {
		return maxBusyWait
	}
	return time.Duration(secs * float64(time.Second))
}

// clampWait keeps a wait between one second and maxBusyWait.
func clampWait(d time.Duration) time.Duration {
	return min(max(d, time.Second), maxBusyWait)
}

// possessive is "Lightspeed's" for a provider's name.
func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "'"
	}
	return name + "'s"
}

// sentenceStart capitalises a provider's name when it opens a sentence ("the practice server").
func sentenceStart(name string) string {
	r, size := utf8.DecodeRuneInString(name)
	if r == utf8.RuneError {
		return name
	}
	return string(unicode.ToUpper(r)) + name[size:]
}

// sprintfName fills a sentence that opens with the provider's name.
func sprintfName(format, profileName string) string {
	return fmt.Sprintf(format, sentenceStart(profileName))
}
