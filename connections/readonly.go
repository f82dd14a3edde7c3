package connections

import (
	"context"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// A state file of a newer major schema (see vault.SchemaProducts) is read-only to this
// version: its companies are listed as far as they could be read, and nothing that would
// change the state, the keychain or a company's tokens at Lightspeed starts. Each writing
// entry point asks writable first, before any network request or keychain write; one that
// loads the state first anyway asks IsReadOnly of that load instead of loading it twice.

// IsReadOnly reports whether err says the saved list of companies is a newer version's, which
// this version shows but does not change. Statuses returns it beside the companies it read.
func IsReadOnly(err error) bool { return vault.IsNewerSchema(err) }

// readOnlyError is the refusal of a change to a newer version's state: one sentence, the same
// for every face and every command.
func readOnlyError(cause error) error {
	e := problem.New(problem.KindStorage, readOnlySentence, cause)
	if d := problem.Detail(cause); d != "" {
		e = e.WithDetail("%s", d)
	}
	return e
}

// writable returns the read-only refusal when the state file is a newer version's, and nil
// otherwise (any other trouble with the state is the operation's to meet and report, as ever).
func (c *Core) writable(ctx context.Context) error {
	if _, err := c.load(ctx); IsReadOnly(err) {
		return err
	}
	return nil
}

// load is the state as vault.Store.Load reads it, a newer version's coming with the read-only
// sentence: every part of the core that reads the state says the same about it.
func (c *Core) load(ctx context.Context) (*vault.State, error) {
	st, err := c.vault.Store.Load(ctx)
	if IsReadOnly(err) {
		return st, readOnlyError(err)
	}
	return st, err
}
