// Package problem carries a failure's machine-readable kind and its plain-language sentence
// from the core of the app to its two faces, the window and the command line.
//
// Inside the app, errors are wrapped as "could not …: %w". Where a failure is first
// understood (a token endpoint that says invalid_grant, a port that is taken, a keyring that
// does not answer), it becomes a *Error with a Kind and a Summary written for a store manager:
// what happened and what to do now. At the edge, Summary and KindOf find it again through any
// number of wraps.
//
// A Summary says what happened in words that suit both faces: it never names a command, a
// flag, a screen or a button. What to do about it travels beside the sentence as a Fix, an
// Action the faces render in their own idiom: the command line as a command to run, the
// window as a button.
//
// A Summary or Detail never contains a secret: no token, code, state or client secret.
package problem

import (
	"errors"
	"fmt"
)

// Kind names a failure for programs and tests; it is stable and appears in `--json` output.
type Kind string

// The kinds of failure the app knows. Each has its own plain sentence where it is raised.
const (
	// KindInvalidClient: the token endpoint rejected the client ID or secret (invalid_client).
	KindInvalidClient Kind = "invalid_client"
	// KindInvalidGrant: a code was used or expired, or a refresh token was revoked (invalid_grant).
	KindInvalidGrant Kind = "invalid_grant"
	// KindAccessDenied: the person declined consent in the browser.
	KindAccessDenied Kind = "access_denied"
	// KindProvider: the provider sent some other OAuth error to the redirect URI or token endpoint.
	KindProvider Kind = "provider_error"
	// KindNetwork: the server could not be reached (DNS, refused, reset, offline).
	KindNetwork Kind = "network"
	// KindTimeout: a wait ran out (network call, keyring call, consent in the browser).
	KindTimeout Kind = "timeout"
	// KindServer: the server answered with a 5xx status.
	KindServer Kind = "server_error"
	// KindBadReply: the server answered with something that is not what the protocol says.
	KindBadReply Kind = "bad_reply"
	// KindUnauthorized: the API refused the access token even after a refresh.
	KindUnauthorized Kind = "unauthorized"
	// KindRateLimited: the API asked the app to slow down and the wait would be too long.
	KindRateLimited Kind = "rate_limited"
	// KindRedirectURI: the redirect URI is not one the app can use as written.
	KindRedirectURI Kind = "redirect_uri"
	// KindPortInUse: another program holds the redirect URI's port.
	KindPortInUse Kind = "port_in_use"
	// KindStateMismatch: a callback or pasted address does not belong to this connect attempt.
	KindStateMismatch Kind = "state_mismatch"
	// KindCanceled: the person cancelled.
	KindCanceled Kind = "canceled"
	// KindWrongCompany: a consent came back for another company than the one being reconnected.
	KindWrongCompany Kind = "wrong_company"
	// KindKeyringUnavailable: the OS keyring is missing, locked or refusing.
	KindKeyringUnavailable Kind = "keyring_unavailable"
	// KindKeyringTooBig: a value is larger than the platform's keyring allows.
	KindKeyringTooBig Kind = "keyring_too_big"
	// KindNotFound: a stored item or company does not exist.
	KindNotFound Kind = "not_found"
	// KindStateCorrupt: the state file could not be read and was moved aside.
	KindStateCorrupt Kind = "state_corrupt"
	// KindNotStored: a connection was approved and its tokens are in memory, but storing them
	// failed; the person is offered to retry or export before anything is lost.
	KindNotStored Kind = "not_stored"
	// KindStorage: a file could not be written (read-only directory, disk full).
	KindStorage Kind = "storage"
	// KindBusy: another window or command holds the lock.
	KindBusy Kind = "busy"
	// KindExists: a file is already there and overwriting was not asked for.
	KindExists Kind = "exists"
	// KindHandedOff: the company's refresh token was handed off to the integration, so the
	// app no longer refreshes it; only reconnecting takes it back.
	KindHandedOff Kind = "handed_off"
	// KindUsage: the command line was used wrongly.
	KindUsage Kind = "usage"
	// KindUnknown: anything not understood; the Summary still says what to do.
	KindUnknown Kind = "unknown"
)

// Error is a failure that has been understood: its Kind for programs, its Summary for people.
type Error struct {
	// Kind is the machine-readable name of the failure.
	Kind Kind
	// Summary is one or two plain sentences: what happened and what to do now.
	Summary string
	// Detail is an optional line for support staff (an HTTP status, an OAuth error code and
	// description, a path). Never a secret.
	Detail string
	// Fix is what to do about it, when the raiser knows better than the kind alone tells.
	Fix Fix
	// Err is the underlying cause, kept for errors.Is and errors.As; it is not shown to people.
	Err error
}

// Action is a fix for a failure, named without any face's words. Each face renders it: the
// command line as the command that does it, the window as the button that does it.
type Action string

// The actions.
const (
	// ActionNone: nothing to do, or nothing better than the sentence says.
	ActionNone Action = ""
	// ActionReconnect: connect Fix.CompanyID again.
	ActionReconnect Action = "reconnect"
	// ActionConnect: connect a company (none is connected yet).
	ActionConnect Action = "connect"
	// ActionSetUp: give the integration's Client ID, Client Secret and Redirect URI.
	ActionSetUp Action = "set_up"
	// ActionEnterSecret: give the integration's Client Secret again.
	ActionEnterSecret Action = "enter_secret"
	// ActionCopySettings: copy the Client ID and Secret again from the integration's settings
	// in Lightspeed, and give them to the app.
	ActionCopySettings Action = "copy_settings"
	// ActionCheckInternet: check the internet connection, then check again.
	ActionCheckInternet Action = "check_internet"
	// ActionRetry: check again.
	ActionRetry Action = "retry"
	// ActionUnlockKeyring: unlock (or start) the system keychain, then check again.
	ActionUnlockKeyring Action = "unlock_keyring"
	// ActionListCompanies: look at the companies connected on this computer.
	ActionListCompanies Action = "list_companies"
)

// Fix is an Action and what it applies to.
type Fix struct {
	// Action is what to do.
	Action Action
	// CompanyID is the company it applies to, 0 when none.
	CompanyID int64
}

// New returns a *Error of the given kind with a plain summary and an optional cause.
func New(kind Kind, summary string, cause error) *Error {
	return &Error{Kind: kind, Summary: summary, Err: cause}
}

// WithDetail returns e with a support detail line set; it is a convenience for chaining.
func (e *Error) WithDetail(format string, args ...any) *Error {
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// WithFix returns e with its fix set; it is a convenience for chaining.
func (e *Error) WithFix(f Fix) *Error {
	e.Fix = f
	return e
}

// Error returns the summary, so that a wrapped *Error still reads as a plain sentence.
func (e *Error) Error() string { return e.Summary }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// KindOf returns the kind of the first *Error in err's chain, KindUnknown when there is none,
// and "" for a nil error.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	if pe := As(err); pe != nil {
		return pe.Kind
	}
	return KindUnknown
}

// Is reports whether err's chain holds a *Error of the given kind.
func Is(err error, kind Kind) bool {
	return err != nil && KindOf(err) == kind
}

// genericSummary is what people see for a failure that no part of the app understood.
const genericSummary = "Something unexpected went wrong. Try again; if it keeps happening, copy the diagnostics and send them to support."

// Summary returns the plain sentence for err: the Summary of the first *Error in its chain,
// or a generic sentence that never exposes a Go error string.
func Summary(err error) string {
	if pe := As(err); pe != nil && pe.Summary != "" {
		return pe.Summary
	}
	return genericSummary
}

// Detail returns the support detail of the first *Error in err's chain, or "".
func Detail(err error) string {
	if pe := As(err); pe != nil {
		return pe.Detail
	}
	return ""
}

// FixOf returns the fix of the first *Error in err's chain that has one, or the zero Fix.
func FixOf(err error) Fix {
	for err != nil {
		pe := As(err)
		if pe == nil {
			return Fix{}
		}
		if pe.Fix.Action != ActionNone {
			return pe.Fix
		}
		err = pe.Err
	}
	return Fix{}
}
