package vault

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/redact"
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
		redact.Fingerprint(t.AccessToken), redact.Fingerprint(t.RefreshToken), exp)
}

// GoString is String, so %#v is redacted too.
func (t Tokens) GoString() string { return t.String() }

// Format makes every fmt verb print the redacted String.
func (t Tokens) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, t.String()) }

// MarshalJSON writes the redacted form; exports use their own types on purpose.
func (t Tokens) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// LogValue keeps slog redacted as well.
func (t Tokens) LogValue() slog.Value { return slog.StringValue(t.String()) }
