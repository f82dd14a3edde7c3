package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

func init() {
	commands["status"] = command{summary: "show every company's health (--check asks Lightspeed first)", run: runStatus}
}

// runStatus shows the companies in the order every face lists them (whatever needs attention
// first, see connections.Order): a table, then for each one that needs attention what is wrong
// and the command that fixes it, and any notes (such as sites the connection can't see); or
// with --json the stable JSON array.
//
// Exit code 1 when nothing is connected, or when a company needs attention: with --check,
// anything but healthy; without it, a recorded failure (never checked is not a failure). A
// list saved by a newer version of the app is shown as it was recorded, with its sentence on
// stderr, never checked, and always exits 1: this version can neither vouch for it nor fix it.
func runStatus(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "status", "[--check] [--json]")
	check := fs.Bool("check", false, "ask Lightspeed about every company first (refreshing tokens that expire soon)")
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	core, err := env.core()
	if err != nil {
		return err
	}
	statuses, err := core.Statuses(ctx)
	env.sayStateNotices() // before the table, which it explains
	readOnly := connections.IsReadOnly(err)
	if readOnly { // a newer version's list: shown as it is, neither checked nor changed
		fmt.Fprintln(env.Stderr, problem.Summary(err))
		err = nil
	}
	if err == nil && *check && !readOnly && len(statuses) > 0 {
		statuses, err = checkAll(ctx, core)
	}
	if err != nil {
		return err
	}
	connections.Order(statuses)
	if *asJSON {
		if err := writeJSON(env.Stdout, statuses); err != nil {
			return err
		}
	} else {
		printStatusTable(env, statuses)
		printSettings(env, statuses)
	}
	if err := rescueHeld(ctx, env, core); err != nil {
		return err
	}
	if readOnly || len(statuses) == 0 || connections.Summarise(statuses).NeedsAttention(*check) {
		return errAttention
	}
	return nil
}

// checkAll asks Lightspeed about every company, once the integration's settings are known to
// be there (else the sentence says how to give them on the command line).
func checkAll(ctx context.Context, core *connections.Core) ([]connections.CompanyStatus, error) {
	if err := requireSettings(ctx, core); err != nil {
		return nil, err
	}
	return core.Check(ctx)
}

// writeJSON prints v as indented JSON; an empty list is [] (never null).
func writeJSON(w io.Writer, v any) error {
	if list, ok := v.([]connections.CompanyStatus); ok && list == nil {
		v = []connections.CompanyStatus{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printStatusTable(env *Env, statuses []connections.CompanyStatus) {
	if len(statuses) == 0 {
		_ = nothingConnected(env)
		return
	}
	now := env.now()
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	if onlyOSeries(statuses) { // as it always was
		fmt.Fprintln(tw, "COMPANY\tID\tSTATUS\tSITES\tACCESS TOKEN\tLAST REFRESH\tLAST CHECK")
		for _, s := range statuses {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.ID, connections.StatusLabel(s.Status), s.SitesShown(),
				connections.TimeLeft(s.AccessExpiresAt, now), connections.Ago(s.LastRefreshAt, now), connections.Ago(s.LastCheckAt, now))
		}
	} else {
		fmt.Fprintln(tw, "COMPANY\tPRODUCT\tID\tSTATUS\tSHOPS\tACCESS TOKEN\tLAST REFRESH\tLAST CHECK")
		for _, s := range statuses {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Product.ShortName, s.ExternalID, connections.StatusLabel(s.Status),
				s.SitesShown(), connections.TimeLeft(s.AccessExpiresAt, now), connections.Ago(s.LastRefreshAt, now), connections.Ago(s.LastCheckAt, now))
		}
	}
	_ = tw.Flush()
	for _, s := range statuses {
		notes := s.Notes()
		if !s.Status.NeedsAttention() && len(notes) == 0 {
			continue
		}
		if s.Status.NeedsAttention() {
			fmt.Fprintf(env.Stdout, "\n%s (%s): %s\n  Fix: %s\n", s.Name, s.ExternalID, s.Detail, fixCommandFor(s.Fix(), s.ExternalID))
		} else {
			fmt.Fprintf(env.Stdout, "\n%s (%s): %s\n", s.Name, s.ExternalID, notes[0])
			notes = notes[1:]
		}
		for _, note := range notes {
			fmt.Fprintf(env.Stdout, "  %s\n", note)
		}
	}
}

// onlyOSeries reports whether every company is an O-Series one: the table then stays as it
// was before the app knew other products.
func onlyOSeries(statuses []connections.CompanyStatus) bool {
	for _, s := range statuses {
		if s.Product.ID != connections.DefaultProductID {
			return false
		}
	}
	return true
}
