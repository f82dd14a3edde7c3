package practice

import (
	"fmt"
	"io"
	"log/slog"
)

// Every type here that holds a secret (a client secret, a code or a token) prints redacted
// under every fmt verb (%v, %+v, %#v, %s, %q …) and in slog, so that a test or a log line
// that prints one can't leak it.

const redacted = "[redacted]"

// String describes the token set without its tokens.
func (t TokenSet) String() string {
	return fmt.Sprintf("practice.TokenSet{AccessToken:%s RefreshToken:%s TokenType:%s ExpiresIn:%d DomainPrefix:%s}",
		redactedIf(t.AccessToken), redactedIf(t.RefreshToken), t.TokenType, t.ExpiresIn, t.DomainPrefix)
}

// GoString is String, so %#v is redacted too.
func (t TokenSet) GoString() string { return t.String() }

// Format prints String for every verb.
func (t TokenSet) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, t.String()) }

// LogValue keeps the tokens out of slog.
func (t TokenSet) LogValue() slog.Value { return slog.StringValue(t.String()) }

// String describes the integration without its client secret.
func (i Info) String() string {
	return fmt.Sprintf("practice.Info{Product:%s AuthorizeURL:%s TokenURL:%s APIURL:%s ClientID:%s ClientSecret:%s RedirectURI:%s Issuer:%s}",
		i.Product, i.AuthorizeURL, i.TokenURL, i.APIURL, i.ClientID, redactedIf(i.ClientSecret), i.RedirectURI, i.Issuer)
}

// GoString is String, so %#v is redacted too.
func (i Info) GoString() string { return i.String() }

// Format prints String for every verb.
func (i Info) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, i.String()) }

// LogValue keeps the client secret out of slog.
func (i Info) LogValue() slog.Value { return slog.StringValue(i.String()) }

// String describes the settings without the client secret.
func (c Config) String() string {
	return fmt.Sprintf("practice.Config{Product:%s ClientID:%s ClientSecret:%s Companies:%d Sites:%d HiddenSites:%d RotateRefresh:%t StrictRotation:%t NoNextPage:%t RateLimit:%d/min RateLimitReply:%s ExpiredStatus:%d SendIssuer:%t}",
		c.Product.orDefault(), c.ClientID, redactedIf(c.ClientSecret), c.Companies, c.Sites, c.HiddenSites, c.RotateRefresh, c.StrictRotation,
		c.NoNextPage, c.RateLimit, c.RateLimitReply, c.ExpiredStatus, c.SendIssuer)
}

// GoString is String, so %#v is redacted too.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Config) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue keeps the client secret out of slog.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// String names the server by its address; it holds every secret it issued, and prints none.
func (s *Server) String() string {
	return "practice.Server{URL:" + s.URL() + " secrets:" + redacted + "}"
}

// GoString is String, so %#v is redacted too.
func (s *Server) GoString() string { return s.String() }

// Format prints String for every verb.
func (s *Server) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue keeps the issued secrets out of slog.
func (s *Server) LogValue() slog.Value { return slog.StringValue(s.String()) }

func redactedIf(secret string) string {
	if secret == "" {
		return `""`
	}
	return redacted
}
