package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

func init() {
	commands["exec"] = command{summary: "run a command with a company's access token in its environment", run: runExec}
}

// The variables exec gives the command it runs.
const (
	envAccessToken   = "LIGHTSPEED_ACCESS_TOKEN"
	envTokenExpires  = "LIGHTSPEED_ACCESS_TOKEN_EXPIRES_AT"
	envCompanyID     = "LIGHTSPEED_COMPANY_ID"
	envSiteIDs       = "LIGHTSPEED_SITE_IDS"
	envAPIBaseURL    = "LIGHTSPEED_API_BASE_URL"
	envProduct       = "LIGHTSPEED_PRODUCT"
	envExternalID    = "LIGHTSPEED_COMPANY_EXTERNAL_ID"
	execNotFoundCode = 127
	execCannotRun    = 126
)

// runExec runs a command with a fresh access token, the company, its sites and the API's
// address in its environment, and never the refresh token or the client secret. Its standard
// streams are ours, the signals we get are passed on, and its exit code becomes ours.
func runExec(ctx context.Context, env *Env, args []string) error {
	var ids companyIDs
	flags := newFlags(env, "exec", "[--company ID] [--min-valid 5m] -- COMMAND [ARGS...]")
	flags.Var(&ids, "company", "the company; may be left out when only one is connected")
	minValid := flags.Duration("min-valid", connections.RefreshMargin, "refresh first when the token expires within this long")
	// Parsing stops at -- or at the command's name: what follows is the command's own.
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError("Check the command's options: run \"lightspeed-connect exec -h\" to see them.")
	}
	argv := flags.Args()
	if len(argv) == 0 {
		return usageError("Say which command to run after --, for example: lightspeed-connect exec -- ./sync-sales --since yesterday")
	}
	if *minValid < 0 {
		return usageError("--min-valid is how long the token must still work, such as 5m or 1h; %s is negative.", *minValid)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := commandMissing(argv[0], cmd.Err); err != nil {
		return err
	}
	core, id, err := env.oneCompany(ctx, "exec", ids)
	if err != nil {
		return err
	}
	cr, err := core.Credentials(ctx, id, *minValid)
	if err != nil {
		return err
	}
	cmd.Env = childEnv(os.Environ(), cr)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = env.Stdin, env.Stdout, env.Stderr
	return runChild(env, cmd)
}

// commandMissing turns a command that can't be found or run into exit 127 or 126 (as shells
// do) with a plain sentence.
func commandMissing(name string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, exec.ErrDot):
		return &codeError{code: execNotFoundCode, err: problem.New(problem.KindNotFound, fmt.Sprintf(
			"%q was found only in the current folder, which is not trusted for commands. Write it with a path, such as ./%s.", name, name), err)}
	case errors.Is(err, fs.ErrPermission):
		return &codeError{code: execCannotRun, err: problem.New(problem.KindNotFound, fmt.Sprintf(
			"%q can't be run: this computer doesn't allow running it (check that it is a program and may be executed).", name), err)}
	default:
		return &codeError{code: execNotFoundCode, err: problem.New(problem.KindNotFound, fmt.Sprintf(
			"There is no command %q: check its spelling, or give its full path.", name), err)}
	}
}

// startFailed is a command that was found but could not be started.
func startFailed(name string, err error) error {
	code := execCannotRun
	if errors.Is(err, fs.ErrNotExist) {
		code = execNotFoundCode
	}
	return &codeError{code: code, err: problem.New(problem.KindNotFound, fmt.Sprintf(
		"%q couldn't be started: check that it is a program for this computer and may be executed.", name), err).
		WithDetail("%v", err)}
}

// exitOf turns how the command ended into our exit: its code, or 128+n when signal n ended
// it (as shells report it).
func exitOf(err error) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return &codeError{code: ExitAttention, err: problem.New(problem.KindUnknown,
			"The command's end couldn't be followed. Its work may be done; check its output.", err).WithDetail("%v", err)}
	}
	if n, ok := signalNumber(ee); ok {
		return &codeError{code: 128 + n}
	}
	return &codeError{code: ee.ExitCode()}
}

// childEnv is the command's environment: ours without any Lightspeed refresh token or client
// secret (nor stale copies of the variables set here), plus the credentials.
func childEnv(parent []string, cr connections.Credentials) []string {
	out := make([]string, 0, len(parent)+7)
	for _, kv := range parent {
		name, _, _ := strings.Cut(kv, "=")
		if !keptForChild(name) {
			continue
		}
		out = append(out, kv)
	}
	sites := make([]string, 0, len(cr.Company.Sites))
	for _, s := range cr.Company.Sites {
		sites = append(sites, strconv.FormatInt(s.ID, 10))
	}
	return append(out,
		envAccessToken+"="+cr.Token.Value,
		envTokenExpires+"="+rfc3339(cr.Token.ExpiresAt),
		envCompanyID+"="+strconv.FormatInt(cr.Company.ID, 10),
		envSiteIDs+"="+strings.Join(sites, ","),
		envAPIBaseURL+"="+cr.APIBaseURL,
		envProduct+"="+cr.Product.ID,
		envExternalID+"="+cr.Company.ExternalID,
	)
}

// keptForChild reports whether a variable of ours may pass to the command. Names are compared
// without regard to case, as Windows does.
func keptForChild(name string) bool {
	up := strings.ToUpper(name)
	if !strings.HasPrefix(up, "LIGHTSPEED_") {
		return true
	}
	switch up {
	case envAccessToken, envTokenExpires, envCompanyID, envSiteIDs, envAPIBaseURL, envProduct, envExternalID:
		return false
	}
	return !strings.Contains(up, "REFRESH_TOKEN") && !strings.Contains(up, "CLIENT_SECRET")
}
