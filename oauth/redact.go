package oauth

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Every type of this package that holds a secret, directly or through a field (a client
// secret, a token, a code, the state or the PKCE verifier), prints redacted: String for %v,
// %+v and %s, GoString for %#v, Format so that no verb (%q, %x…) falls back to the fields, and
// LogValue for slog (MarshalJSON too, for slog's JSON handler given a slice or a map of them).
// A secret shows only as [redacted] or [empty], never its length.

// mask says whether a secret is present without showing any of it, not even its length.
func mask(secret string) string {
	if secret == "" {
		return "[empty]"
	}
	return "[redacted]"
}

// formatRedacted writes the redacted form for any verb: goString for %#v, s quoted for %q,
// s for everything else.
func formatRedacted(f fmt.State, verb rune, s, goString string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, goString)
	case verb == 'q':
		_, _ = fmt.Fprintf(f, "%q", s)
	default:
		_, _ = io.WriteString(f, s)
	}
}

// String describes the result without its tokens.
func (r Result) String() string {
	return fmt.Sprintf("{AccessToken:%s RefreshToken:%s Expiry:%s CallerGaveUp:%t}",
		mask(r.AccessToken), mask(r.RefreshToken), r.Expiry.Format(time.RFC3339), r.CallerGaveUp)
}

// GoString describes the result without its tokens, for %#v.
func (r Result) GoString() string { return "oauth.Result" + r.String() }

// Format makes every fmt verb print the redacted form.
func (r Result) Format(f fmt.State, verb rune) { formatRedacted(f, verb, r.String(), r.GoString()) }

// LogValue keeps tokens out of structured logs.
func (r Result) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("access_token", mask(r.AccessToken)),
		slog.String("refresh_token", mask(r.RefreshToken)),
		slog.Bool("caller_gave_up", r.CallerGaveUp),
		slog.Time("expiry", r.Expiry),
	)
}

// String describes the config with its secret redacted.
func (c Config) String() string {
	return fmt.Sprintf("{Profile:%s ClientID:%s ClientSecret:%s RedirectURI:%s Timeout:%s}",
		c.Profile.Name, c.ClientID, mask(c.ClientSecret), c.RedirectURI, c.Timeout)
}

// GoString describes the config with its secret redacted, for %#v.
func (c Config) GoString() string { return "oauth.Config" + c.String() }

// Format makes every fmt verb print the redacted form.
func (c Config) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String(), c.GoString()) }

// LogValue keeps the client secret out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("profile", c.Profile.Name),
		slog.String("client_id", c.ClientID),
		slog.String("client_secret", mask(c.ClientSecret)),
		slog.String("redirect_uri", c.RedirectURI),
		slog.Duration("timeout", c.Timeout),
	)
}

// String describes the config with its secrets redacted.
func (c RefreshConfig) String() string {
	return fmt.Sprintf("{Profile:%s ClientID:%s ClientSecret:%s RefreshToken:%s}",
		c.Profile.Name, c.ClientID, mask(c.ClientSecret), mask(c.RefreshToken))
}

// GoString describes the config with its secrets redacted, for %#v.
func (c RefreshConfig) GoString() string { return "oauth.RefreshConfig" + c.String() }

// Format makes every fmt verb print the redacted form.
func (c RefreshConfig) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, c.String(), c.GoString())
}

// LogValue keeps the client secret and the refresh token out of structured logs.
func (c RefreshConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("profile", c.Profile.Name),
		slog.String("client_id", c.ClientID),
		slog.String("client_secret", mask(c.ClientSecret)),
		slog.String("refresh_token", mask(c.RefreshToken)),
	)
}

// String describes the attempt without its state, verifier, secret or result.
func (s *Session) String() string {
	if s == nil {
		return "<nil>"
	}
	return fmt.Sprintf("{Redirect:%s Catchable:%t}", s.redirect.raw, s.redirect.catchable)
}

// GoString describes the attempt like String, for %#v.
func (s *Session) GoString() string { return "&oauth.Session" + s.String() }

// Format makes every fmt verb print the redacted form.
func (s *Session) Format(f fmt.State, verb rune) { formatRedacted(f, verb, s.String(), s.GoString()) }

// LogValue keeps the attempt's secrets out of structured logs.
func (s *Session) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("redirect", s.redirect.raw), slog.Bool("catchable", s.redirect.catchable))
}

// String describes the refresher by the number of refreshes on their way; the results they
// hold are never printed.
func (r *Refresher) String() string {
	if r == nil {
		return "<nil>"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprintf("{InFlight:%d}", len(r.flights))
}

// GoString describes the refresher like String, for %#v.
func (r *Refresher) GoString() string { return "&oauth.Refresher" + r.String() }

// Format makes every fmt verb print the redacted form.
func (r *Refresher) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, r.String(), r.GoString())
}

// LogValue keeps in-flight results out of structured logs.
func (r *Refresher) LogValue() slog.Value {
	if r == nil {
		return slog.StringValue("<nil>")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slog.GroupValue(slog.Int("in_flight", len(r.flights)))
}

// redactedJSON is what encoding/json (and so slog's JSON handler, for a slice or map of these
// types) prints: the same redacted text as %v, never the fields.
func redactedJSON(s string) ([]byte, error) { return json.Marshal(s) }

// MarshalJSON prints the redacted form; tokens are stored through their fields, never as JSON
// of a Result.
func (r Result) MarshalJSON() ([]byte, error) { return redactedJSON(r.GoString()) }

// MarshalJSON prints the redacted form.
func (c Config) MarshalJSON() ([]byte, error) { return redactedJSON(c.GoString()) }

// MarshalJSON prints the redacted form.
func (c RefreshConfig) MarshalJSON() ([]byte, error) { return redactedJSON(c.GoString()) }
