package lightspeed

import (
	"fmt"
	"io"
	"log/slog"
)

// A Client's token source may hold an access token, and its HTTP client may carry anything,
// so a Client prints only its address and settings, under every fmt verb and in slog.

// String describes the client without its token source.
func (c Client) String() string {
	pace := "default"
	if c.Pacer != nil {
		pace = fmt.Sprintf("%d/min", c.Pacer.PerMinute())
	}
	return fmt.Sprintf("lightspeed.Client{BaseURL:%s Tokens:[redacted] Pace:%s}", c.base(), pace)
}

// GoString is String, so %#v is redacted too.
func (c Client) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue keeps the token source out of slog.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }
