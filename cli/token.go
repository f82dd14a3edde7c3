package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

func init() {
	commands["token"] = command{summary: "print a company's access token for a script, refreshed if it expires soon", run: runToken}
}

// runToken prints a valid access token alone on stdout, for `$(lightspeed-connect token)`.
// The app keeps the refresh token; it refreshes first when the access token expires within
// --min-valid. The token is never written to a terminal.
func runToken(ctx context.Context, env *Env, args []string) error {
	var ids companyIDs
	fs := newFlags(env, "token", "[--company ID] [--min-valid 5m]")
	fs.Var(&ids, "company", "the company; may be left out when only one is connected")
	minValid := fs.Duration("min-valid", connections.RefreshMargin, "refresh first when the token expires within this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *minValid < 0 {
		return usageError("--min-valid is how long the token must still work, such as 5m or 1h; %s is negative.", *minValid)
	}
	if isTerminalWriter(env.Stdout) {
		return usageError("The access token is printed only into a pipe or a file, so it never shows in the terminal. For example: curl -H \"Authorization: Bearer $(lightspeed-connect token)\" …, or lightspeed-connect exec -- COMMAND to give it to a command.")
	}
	core, id, err := env.oneCompany(ctx, "token", ids)
	if err != nil {
		return err
	}
	tok, err := core.AccessToken(ctx, id, *minValid)
	if err != nil {
		return err
	}
	_, err = io.WriteString(env.Stdout, tok.Value+"\n")
	return err
}

// oneCompany opens the core and picks the one company a command works on: the --company
// given, or the only one connected. Nothing connected is exit 1; several without --company,
// or more than one --company, are usage errors that list the choices. Nothing goes to stdout.
func (env *Env) oneCompany(ctx context.Context, name string, ids companyIDs) (*connections.Core, int64, error) {
	if len(ids) > 1 {
		return nil, 0, usageError("%s works on one company at a time: give --company once.", name)
	}
	core, err := env.core()
	if err != nil {
		return nil, 0, err
	}
	if len(ids) == 1 {
		return core, ids[0], nil
	}
	statuses, err := core.Statuses(ctx)
	if err != nil {
		return nil, 0, err
	}
	switch len(statuses) {
	case 0:
		return nil, 0, problem.New(problem.KindNotFound, "Nothing is connected yet, so there is no token to give.", nil).
			WithFix(problem.Fix{Action: problem.ActionConnect})
	case 1:
		return core, statuses[0].ID, nil
	}
	choices := make([]string, 0, len(statuses))
	for _, s := range statuses {
		choices = append(choices, fmt.Sprintf("%s (%d)", s.Name, s.ID))
	}
	return nil, 0, usageError("Several companies are connected: %s. Choose one with --company ID, for example --company %d.",
		strings.Join(choices, ", "), statuses[0].ID)
}

// isTerminalWriter reports whether w is a terminal.
func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// rfc3339 is how exec writes the token's expiry.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
