package cli

import (
	"context"
	"fmt"
)

func init() {
	commands["diagnostics"] = command{summary: "print a redacted report to paste into a support ticket", run: runDiagnostics}
}

// runDiagnostics prints the redacted report: versions, keyring, paths, companies with token
// fingerprints (never tokens).
func runDiagnostics(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "diagnostics", "[--json]")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	core, err := env.core()
	if err != nil {
		return err
	}
	report := core.Diagnostics(ctx, env.Info.Version)
	if *asJSON {
		return writeJSON(env.Stdout, report)
	}
	fmt.Fprint(env.Stdout, report.Text())
	return nil
}
