package connections

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Every type of this package that holds a secret, directly or through a field (the client
// secret, a token, the consent's state or verifier), prints redacted: Format for every fmt
// verb (%s and %q included, which would otherwise print a struct's unexported fields in
// full), LogValue for slog, and MarshalJSON where a field is exported, for slog's JSON
// handler given a slice or a struct of them. UnsavedError's are beside it in unsaved.go.

// LogValue keeps the client secret out of slog.
func (s Settings) LogValue() slog.Value { return slog.StringValue("connections.Settings" + s.String()) }

// MarshalJSON writes the redacted form; nothing stores Settings as JSON.
func (s Settings) MarshalJSON() ([]byte, error) {
	return json.Marshal("connections.Settings" + s.String())
}

// String describes the attempt without its secrets.
func (a *Attempt) String() string {
	return fmt.Sprintf("connections.Attempt{settings: %s, reconnect: %d}", a.settings.String(), a.opts.Reconnect)
}

// Format makes every fmt verb print String.
func (a *Attempt) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, a.String()) }

// LogValue keeps slog redacted.
func (a *Attempt) LogValue() slog.Value { return slog.StringValue(a.String()) }

// String describes the core; it may hold tokens the keyring refused, so it shows only counts.
func (c *Core) String() string {
	c.unstoredMu.Lock()
	held := len(c.unstored)
	c.unstoredMu.Unlock()
	return fmt.Sprintf("connections.Core{state: %s, refreshing: %d, held unstored: %d}", c.vault.Store.Dir(), c.Refreshing(), held)
}

// Format makes every fmt verb print String.
func (c *Core) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue keeps slog redacted.
func (c *Core) LogValue() slog.Value { return slog.StringValue(c.String()) }

// String describes the practice session without the practice client secret.
func (p Practice) String() string {
	return "connections.Practice{Settings: " + p.Settings.String() + "}"
}

// Format makes every fmt verb print String.
func (p Practice) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// LogValue keeps slog redacted.
func (p Practice) LogValue() slog.Value { return slog.StringValue(p.String()) }

// String describes the practice server without its client secret.
func (p *PracticeServer) String() string { return "connections.PracticeServer{" + p.srv.URL() + "}" }

// Format makes every fmt verb print String.
func (p *PracticeServer) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// LogValue keeps slog redacted.
func (p *PracticeServer) LogValue() slog.Value { return slog.StringValue(p.String()) }
