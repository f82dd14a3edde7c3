package lightspeed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// The plain sentences this package gives people. Those with %s take the product's words
// (Words: the business, its plural), so that an X-Series store is never called a company.
const (
	sayUnauthorized = "Lightspeed no longer accepts this connection's access. Refresh or reconnect the %[1]s."
	sayForbidden    = "Lightspeed didn't allow this connection to read that %[1]s's details. Reconnect the %[1]s and choose it when you grant access."
	sayNotFound     = "Lightspeed doesn't know this %[1]s any more. Reconnect the %[1]s; your other %[2]s are unaffected."
	sayNetwork      = "Couldn't reach Lightspeed. Check the internet connection and try again; nothing has been lost."
	sayTimeout      = "Lightspeed took too long to answer. Try again in a minute; nothing has been lost."
	sayCanceled     = "The request to Lightspeed was cancelled; nothing has been changed."
	sayServer       = "Lightspeed is having trouble right now. Try again in a few minutes; nothing has been lost."
	sayRateLimited  = "Lightspeed asked the app to slow down. Wait a minute, then try again; nothing has been lost."
	sayBadReply     = "Lightspeed sent an answer the app doesn't understand. Try again later; if it keeps happening, copy the diagnostics and send them to support."
	sayMoved        = "Lightspeed's API answered that this endpoint has moved. Check the API address the app was given for the integration; the app doesn't follow such moves, so nothing was sent to the new address."
	sayPlainHTTP    = "The API address uses plain http to another computer, which would send the access token unprotected. Check the API address the app was given for the integration: it should start with https://."
	sayBadAddress   = "The API address the app was given for the integration isn't a web address the app can use. Check it: it should start with https://."

	sayNoAccount       = "Lightspeed gave this connection access to no %[1]s. Connect again, and choose the %[1]s when you grant access."
	saySeveralAccounts = "Lightspeed gave this connection access to %[1]d %[2]s, and the app keeps one %[3]s per connection. Connect again as someone who can see only the %[4]s to connect."
	sayUnknownProduct  = "The app doesn't know this Lightspeed product, so it can't read what was connected."
	sayNoStore         = "The app doesn't know which store this connection belongs to, so it can't call the store's API. Reconnect the store."
)

// movedProblem explains a redirect the client did not follow.
func movedProblem(status int, path, location string) error {
	where := "no Location"
	if u, err := url.Parse(location); err == nil && location != "" {
		where = "Location " + u.Scheme + "://" + u.Host + u.EscapedPath()
	}
	return problem.New(problem.KindProvider, sayMoved, nil).WithFix(problem.Fix{Action: problem.ActionSetUp}).WithDetail("HTTP %d GET %s: redirect not followed (%s)", status, path, where)
}

// transportProblem explains a request that got no answer.
func transportProblem(ctx context.Context, err error, path string) error {
	reason := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		reason = ue.Err.Error()
	}
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return problem.New(problem.KindCanceled, sayCanceled, err).WithDetail("GET %s: cancelled", path)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return problem.New(problem.KindTimeout, sayTimeout, err).WithDetail("GET %s: no answer in time", path)
	default:
		return problem.New(problem.KindNetwork, sayNetwork, err).WithDetail("GET %s: no answer (%s)", path, reason)
	}
}

// statusProblem explains an HTTP status that is neither success, a refusal before the retry,
// nor 429.
func statusProblem(w Words, status int, path string, refreshed bool, body []byte) error {
	switch {
	case refusedToken(status, body):
		after := ""
		if refreshed {
			after = " (also with a refreshed access token)"
		}
		if code := oauthErrorCode(body); code != "" {
			after = " " + code + after
		}
		return problem.New(problem.KindUnauthorized, fmt.Sprintf(sayUnauthorized, w.Company), nil).WithDetail("HTTP %d GET %s%s", status, path, after)
	case status == 403:
		return problem.New(problem.KindUnauthorized, fmt.Sprintf(sayForbidden, w.Company), nil).WithDetail("HTTP 403 GET %s", path)
	case status == 404:
		return problem.New(problem.KindNotFound, fmt.Sprintf(sayNotFound, w.Company, w.Companies), nil).WithDetail("HTTP 404 GET %s", path)
	case status >= 500:
		return problem.New(problem.KindServer, sayServer, nil).WithDetail("HTTP %d GET %s", status, path)
	default:
		what := "unexpected status"
		if code := oauthErrorCode(body); code != "" {
			what += " (error " + code + ")"
		}
		return badReply(status, path, what, nil)
	}
}

// badReply explains an answer that is not what the API promises.
func badReply(status int, path, what string, cause error) *problem.Error {
	return problem.New(problem.KindBadReply, sayBadReply, cause).WithDetail("HTTP %d GET %s: %s", status, path, what)
}

// rateLimited explains a 429 the client will not wait through.
// source is where the wait came from: "Retry-After", "X-Ratelimit-Reset" or "backoff".
func rateLimited(path string, wait time.Duration, source, why string) error {
	return problem.New(problem.KindRateLimited, sayRateLimited, nil).
		WithDetail("HTTP 429 GET %s: the next wait would be %s (from %s); %s", path, wait.Round(time.Second), source, why)
}
