package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Tokens is a company's token set. It never prints its secrets: String, GoString, Format (every
// fmt verb), MarshalJSON and LogValue all redact, so a stray log line or %+v cannot leak them.
type Tokens struct {
	// AccessToken is the bearer token for the Lightspeed API.
	AccessToken string
	// RefreshToken gets a new access token; Lightspeed may rotate it on every refresh.
	RefreshToken string
	// Expiry is when AccessToken stops working. It is kept in the state file, not the keyring.
	Expiry time.Time
}

// String describes the tokens with fingerprints instead of values.
func (t Tokens) String() string {
	exp := "unknown"
	if !t.Expiry.IsZero() {
		exp = t.Expiry.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("Tokens{access: %s, refresh: %s, expiry: %s}",
		Fingerprint(t.AccessToken), Fingerprint(t.RefreshToken), exp)
}

// GoString is String, so %#v is redacted too.
func (t Tokens) GoString() string { return t.String() }

// Format makes every fmt verb print the redacted String.
func (t Tokens) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, t.String()) }

// MarshalJSON writes the redacted form; exports use their own types on purpose.
func (t Tokens) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// LogValue keeps slog redacted as well.
func (t Tokens) LogValue() slog.Value { return slog.StringValue(t.String()) }

// Fingerprint names a secret without revealing it: the first 8 hex characters of its SHA-256,
// or "missing" for an empty one. Two fingerprints that match almost surely name one token,
// which is what support needs to tell a stale copy from the current one.
func Fingerprint(secret string) string {
	if secret == "" {
		return "missing"
	}
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:4])
}
