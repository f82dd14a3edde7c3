package oauth

import (
	"math"
	"strconv"
	"strings"
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
	// ConsentValue is the store the consent answer named (Profile.ConsentParam; X-Series: the
	// domain_prefix, in lower case), "" for a profile without one. Keep it with the tokens:
	// the store's token and API addresses are built from it, and every refresh needs it
	// (RefreshConfig.ConsentValue). It is not a secret.
	ConsentValue string
	// CallerGaveUp is true when a refresh's caller cancelled, or its deadline passed, after
	// the request was sent: the tokens are new and valid all the same, and the server may
	// already have revoked the old refresh token, so store them.
	CallerGaveUp bool
}

// toResult turns oauth2's token into a Result, fixing Expiry against the caller's clock.
// expires_in wins; a reply without it may say expires, the Unix time the token ends
// (X-Series sends both), which is used when it lies in the future; else an hour is assumed.
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
		if at, ok := expiresAt(t.Extra("expires")); ok && at.After(now) {
			r.Expiry = at
		}
	}
	return r
}

// expiresAt reads an expires member as a Unix time in seconds: a JSON number or a string of
// digits. Anything else, or a figure that can't be a time since 2001, is not used.
func expiresAt(v any) (time.Time, bool) {
	var secs float64
	switch x := v.(type) {
	case float64:
		secs = x
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		secs = float64(n)
	default:
		return time.Time{}, false
	}
	if secs < 1e9 || secs > 1e11 || math.IsNaN(secs) {
		return time.Time{}, false
	}
	return time.Unix(int64(secs), 0), true
}
