package cli

import (
	"context"
	"fmt"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

func init() {
	commands["refresh"] = command{summary: "refresh access tokens now (all companies, or --company ID)", run: runRefresh}
}

// runRefresh refreshes now; one line per company, exit 1 when any failed.
func runRefresh(ctx context.Context, env *Env, args []string) error {
	var ids companyIDs
	fs := newFlags(env, "refresh", "[--company ID]")
	fs.Var(&ids, "company", "the company to refresh (repeatable, or comma-separated); default all")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	core, err := env.connectedCore(ctx)
	if err != nil {
		return err
	}
	if err := requireSettings(ctx, core); err != nil {
		return err
	}
	chosen, err := ids.resolve(ctx, core)
	if err != nil {
		return err
	}
	results, err := core.RefreshAll(ctx, chosen...)
	if err != nil {
		return err
	}
	failed := false
	for _, r := range results {
		switch {
		case r.Err == nil:
			fmt.Fprintf(env.Stdout, "%s (%s): refreshed.\n", r.Company.Name, r.Company.ExternalID)
		case connections.AsUnsaved(r.Err) != nil:
			// said, stored once more or saved to a file by rescueHeld below
		case problem.Is(r.Err, problem.KindCanceled):
			failed = true
			fmt.Fprintf(env.Stdout, "%s (%s): %s\n", r.Company.Name, r.Company.ExternalID, problem.Summary(r.Err))
		default:
			failed = true
			fmt.Fprintf(env.Stdout, "%s (%s): %s\n  Fix: %s\n", r.Company.Name, r.Company.ExternalID, problem.Summary(r.Err),
				fixCommandFor(connections.FixFor(r.Err, r.Company.ID), r.Company.ExternalID))
		}
	}
	if err := rescueHeld(ctx, env, core); err != nil {
		failed = true
	}
	if failed {
		return errAttention
	}
	return nil
}
