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
// --min-valid. The token is never written to a terminal. With --json it prints one JSON
// object with the token, the company, its product and the product's API address (X-Series':
// the store's own), so an integration can call the right host.
func runToken(ctx context.Context, env *Env, args []string) error {
	var ids companyIDs
	fs := newFlags(env, "token", "[--company ID] [--min-valid 5m] [--json]")
	asJSON := fs.Bool("json", false, "print a JSON object with the token, its expiry, the company, its product and the API's base address")
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
	if *asJSON {
		cr, err := core.Credentials(ctx, id, *minValid)
		if err != nil {
			return err
		}
		return writeJSON(env.Stdout, tokenJSON{AccessToken: cr.Token.Value, ExpiresAt: rfc3339(cr.Token.ExpiresAt),
			CompanyID: cr.Company.ID, ExternalID: cr.Company.ExternalID, Product: cr.Product.ID, APIBaseURL: cr.APIBaseURL})
	}
	tok, err := core.AccessToken(ctx, id, *minValid)
	if err != nil {
		return err
	}
	_, err = io.WriteString(env.Stdout, tok.Value+"\n")
	return err
}

// tokenJSON is what `token --json` prints.
type tokenJSON struct {
	AccessToken string `json:"access_token"`
	ExpiresAt   string `json:"access_token_expires_at"`
	CompanyID   int64  `json:"company_id"`
	ExternalID  string `json:"external_id"`
	Product     string `json:"product"`
	APIBaseURL  string `json:"api_base_url"`
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
		id, err := core.CompanyID(ctx, ids[0])
		return core, id, err
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
		choices = append(choices, fmt.Sprintf("%s (%s)", s.Name, s.ExternalID))
	}
	return nil, 0, usageError("Several companies are connected: %s. Choose one with --company ID, for example --company %s.",
		strings.Join(choices, ", "), statuses[0].ExternalID)
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

// Format keeps the token out of any stray print: every fmt verb shows the company alone.
func (t tokenJSON) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "token{company: %d, product: %s}", t.CompanyID, t.Product)
}
