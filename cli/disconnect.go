package cli

import (
	"context"
	"fmt"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

func init() {
	commands["disconnect"] = command{summary: "remove one company (--company ID) or everything (--all --yes)", run: runDisconnect}
}

// runDisconnect removes one company's tokens and record, or everything the app keeps.
func runDisconnect(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "disconnect", "--company ID | --all --yes")
	ref := fs.String("company", "", "the company to disconnect")
	all := fs.Bool("all", false, "remove everything this app keeps on this computer")
	yes := fs.Bool("yes", false, "confirm --all")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case (*ref != "") == *all:
		return usageError("Say what to disconnect: --company ID for one company, or --all --yes for everything.")
	case *ref != "" && checkCompanyRef(*ref) != nil:
		return checkCompanyRef(*ref)
	case *all && !*yes:
		return usageError(connections.ForgetWarning + " Add --yes to --all if that is what you want.")
	}
	core, err := env.core()
	if err != nil {
		return err
	}
	if *all {
		if err := core.Forget(ctx); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, connections.Forgotten)
		return nil
	}
	company, err := core.CompanyID(ctx, *ref)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("Company %d", company)
	if statuses, err := core.Statuses(ctx); err == nil {
		for _, s := range statuses {
			if s.ID == company {
				name = fmt.Sprintf("%s (%s)", s.Name, s.ExternalID)
			}
		}
	}
	if err := core.Disconnect(ctx, company); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, connections.Disconnected(name))
	return nil
}
