package connections

import (
	"context"
	"slices"

	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// RefreshResult is the outcome of refreshing one company.
type RefreshResult struct {
	// Company is the company refreshed.
	Company Company
	// Err is nil on success, else a problem with its plain sentence.
	Err error
}

// RefreshAll refreshes the given companies (all when ids is empty, except those handed off to
// the integration), at most Parallelism at a time, and returns one result per company in the
// state file's order.
func (c *Core) RefreshAll(ctx context.Context, ids ...int64) ([]RefreshResult, error) {
	sp, companies, err := c.settingsAndCompanies(ctx, ids) // refuses a newer version's state
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		companies = slices.DeleteFunc(companies, func(co vault.Company) bool { return co.HandedOff != nil })
	}
	results := make([]RefreshResult, len(companies))
	c.forEach(companies, func(i int, co vault.Company) {
		s, err := sp.of(co)
		if err == nil {
			_, err = c.refresh(ctx, s, co.ID, true)
		}
		results[i] = RefreshResult{Company: companyOf(co), Err: err}
	})
	return results, nil
}

// Disconnect removes one company: its keyring items, then its record.
func (c *Core) Disconnect(ctx context.Context, companyID int64) error {
	if err := c.writable(ctx); err != nil {
		return err
	}
	return c.vault.Disconnect(ctx, companyID)
}

// Forget removes everything the app keeps: every keyring item and the state file.
func (c *Core) Forget(ctx context.Context) error {
	if err := c.writable(ctx); err != nil {
		return err
	}
	return c.vault.Forget(ctx)
}
