// Package layering holds the test that keeps the app's layers apart (see docs/architecture.md).
// It has no code of its own: its test reads the import graph with `go list` and fails on any
// arrow the architecture forbids.
package layering
