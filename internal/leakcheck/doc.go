// Package leakcheck holds the test that no secret leaks: every exported type holding a secret,
// directly or through a field, across connections, vault, export, oauth, lightspeed and the
// practice server, prints redacted under every fmt verb and in slog. It has no code of its
// own; its test may import every part. (Redacting itself is internal/redact's job.)
package leakcheck
