package oauth

import (
	"time"

	"golang.org/x/oauth2"
)

// assumedLifetime is how long a Lightspeed access token lasts when a reply omits expires_in.
const assumedLifetime = time.Hour

// Result is a token pair from a connect or a refresh. Its String, GoString, Format and
// LogValue redact both tokens (see redact.go), so an accidental %v, %+v, %#v, %s or slog call
// never prints one; read the fields to store them.
type Result struct {
	// AccessToken authorizes API calls for about an hour.
	AccessToken string
	// RefreshToken renews the access token. After a refresh it is the new one when the server
	// rotated it, else the one that was sent, so a caller always stores this field, before
	// using the new access token.
	RefreshToken string
	// Expiry is when the access token stops working (now + expires_in; one hour when the
	// reply did not say).
	Expiry time.Time
	// CallerGaveUp is true when a refresh's caller cancelled, or its deadline passed, after
	// the request was sent: the tokens are new and valid all the same, and the server may
	// already have revoked the old refresh token, so store them.
	CallerGaveUp bool
}

// toResult turns oauth2's token into a Result, fixing Expiry against the caller's clock.
func toResult(t *oauth2.Token, now time.Time) *Result {
	r := &Result{
		AccessToken:  t.AccessToken,
		RefreshToken: t.RefreshToken,
	}
	switch {
	case t.ExpiresIn > 0:
		r.Expiry = now.Add(time.Duration(t.ExpiresIn) * time.Second)
	case !t.Expiry.IsZero():
		r.Expiry = t.Expiry
	default:
		r.Expiry = now.Add(assumedLifetime)
	}
	return r
}
