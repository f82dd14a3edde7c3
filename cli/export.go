package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

func init() {
	commands["export"] = command{summary: "write tokens to a file for the integration (JSON, .env or a Kubernetes Secret)", run: runExport}
}

// runExport writes the chosen companies' tokens to a file; it never prints them.
func runExport(ctx context.Context, env *Env, args []string) error {
	var ids companyIDs
	fs := newFlags(env, "export", "--out FILE [--format json|env|k8s-secret] [--company ID | --product P] [--include-client-secret] [--force] [--keep-ownership]")
	out := fs.String("out", "", "the file to write (required)")
	format := fs.String("format", "", "json, env (dotenv) or k8s-secret (a Kubernetes Secret manifest); default: "+connections.FormatRule())
	fs.Var(&ids, "company", "a company to export (repeatable, or comma-separated); default all")
	product := fs.String("product", "", "export every company of one product: "+productChoices(", ", " or "))
	withSecret := fs.Bool("include-client-secret", false, "also write the integration's Client Secret")
	force := fs.Bool("force", false, "replace the file if it exists")
	keep := fs.Bool("keep-ownership", false, "keep this app refreshing the companies even when Lightspeed rotates refresh tokens (risky)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError("Say where to write the export with --out FILE, for example --out lightspeed.json.")
	}
	f := connections.FormatFor(*out)
	if *format != "" {
		var err error
		if f, err = connections.ParseFormat(*format); err != nil {
			return err
		}
	}
	core, err := env.connectedCore(ctx)
	if err != nil {
		return err
	}
	chosen, err := ids.resolve(ctx, core)
	if err != nil {
		return err
	}
	req := connections.ExportRequest{Path: *out, Format: f, CompanyIDs: chosen, Product: *product, IncludeClientSecret: *withSecret, Force: *force, KeepOwnership: *keep}
	// Say who refreshes the companies from now on before anything is written.
	own, err := core.ExportOwnership(ctx, req)
	if err != nil {
		return err
	}
	if own.Sentence != "" {
		fmt.Fprintln(env.Stderr, own.Sentence)
	}
	done, err := core.Export(ctx, req)
	if problem.Is(err, problem.KindExists) {
		return problem.New(problem.KindExists,
			fmt.Sprintf("There is already a file at %s. Choose another name with --out, or add --force to replace it.", *out), err).
			WithDetail("%s", problem.Detail(err))
	}
	if err != nil {
		return err
	}
	path, _ := filepath.Abs(*out)
	fmt.Fprintln(env.Stdout, connections.SavedTo(path))
	for _, w := range done.Warnings {
		fmt.Fprintln(env.Stderr, "Warning: "+w)
	}
	return nil
}
