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
	// RefreshExpiry is when the refresh token stops working, when the reply says so
	// (refresh_expires_in, as K-Series' sign-in server sends it); zero when it doesn't, or
	// says 0, which means no fixed end (an offline_access token).
	RefreshExpiry time.Time
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
	// Up to ten years; a larger figure is a misread, not a lifetime.
	if secs, ok := jsonNumber(t.Extra("refresh_expires_in")); ok && secs >= 1 && secs <= 10*365*24*3600 {
		r.RefreshExpiry = now.Add(time.Duration(secs) * time.Second)
	}
	return r
}

// jsonNumber reads a member sent as a JSON number or as a string of digits.
func jsonNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return float64(n), err == nil
	}
	return 0, false
}

// expiresAt reads an expires member as a Unix time in seconds. A figure that can't be a time
// since 2001 is not used.
func expiresAt(v any) (time.Time, bool) {
	secs, ok := jsonNumber(v)
	if !ok || secs < 1e9 || secs > 1e11 {
		return time.Time{}, false
	}
	return time.Unix(int64(secs), 0), true
}
