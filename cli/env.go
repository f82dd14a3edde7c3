package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// core opens the connections core. It touches neither the disk
// nor the keyring until a command asks for something.
func (env *Env) core() (*connections.Core, error) {
	opts := env.Options
	if opts.HTTPClient == nil {
		opts.HTTPClient = env.HTTPClient
	}
	if opts.Now == nil {
		opts.Now = env.now
	}
	core, err := connections.Open(opts)
	if err == nil {
		env.mu.Lock()
		env.cores = append(env.cores, core)
		env.mu.Unlock()
	}
	return core, err
}

// sayStateNotices prints on stderr what any core of the command has to say about the saved
// list of companies (a rebuild from its last-good copy), each once.
func (env *Env) sayStateNotices() {
	env.mu.Lock()
	cores := append([]*connections.Core(nil), env.cores...)
	env.mu.Unlock()
	for _, c := range cores {
		if notice := c.StateNotice(); notice != "" {
			fmt.Fprintln(env.Stderr, notice)
		}
	}
}

// refreshing reports whether any core of the command has a refresh in its critical section.
func (env *Env) refreshing() bool {
	env.mu.Lock()
	defer env.mu.Unlock()
	for _, c := range env.cores {
		if c.Refreshing() > 0 {
			return true
		}
	}
	return false
}

// startedChild marks exec's command as running (true) or ended (false): while it runs, the
// signals we get are the command's to answer (see runInterruptible).
func (env *Env) startedChild(running bool) {
	env.mu.Lock()
	defer env.mu.Unlock()
	env.child = running
}

// runningChild reports whether exec's command is running.
func (env *Env) runningChild() bool {
	env.mu.Lock()
	defer env.mu.Unlock()
	return env.child
}

// drain waits for every core's refreshes in flight (see connections.Core.Drain).
func (env *Env) drain(ctx context.Context) bool {
	env.mu.Lock()
	cores := append([]*connections.Core(nil), env.cores...)
	env.mu.Unlock()
	for _, c := range cores {
		if !c.Drain(ctx) {
			return false
		}
	}
	return true
}

// now is the clock of the command line (Env.Now, or the real one).
func (env *Env) now() time.Time {
	if env.Now != nil {
		return env.Now()
	}
	return time.Now()
}

// input returns one buffered reader over Stdin, shared by every read of a command, so that a
// secret on the first line and a pasted address on the next are both found.
func (env *Env) input() *bufio.Reader {
	if env.stdin == nil {
		env.stdin = bufio.NewReader(env.Stdin)
	}
	return env.stdin
}

// readLine reads one line from Stdin without its line ending; io.EOF when there is none.
func (env *Env) readLine() (string, error) {
	line, err := env.input().ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// openURL opens an address in the person's browser: Env.OpenURL, or the system's opener.
func (env *Env) openURL(address string) error {
	if env.OpenURL != nil {
		return env.OpenURL(address)
	}
	return openInBrowser(address)
}

// openInBrowser starts the system's opener for an address and does not wait for the browser.
func openInBrowser(address string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", address)
	case "darwin":
		cmd = exec.Command("open", address)
	default:
		cmd = exec.Command("xdg-open", address)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// defaultHTTPClient is used when Env.HTTPClient is nil.
var defaultHTTPClient = &http.Client{Timeout: 30 * time.Second}

// companyIDs is a repeatable flag of company IDs that also takes comma-separated lists. An ID
// is the company's number here or the product's own ID of the business (an X-Series store's
// UUID); resolve turns them into the companies' IDs once the core is open.
type companyIDs []string

func (c *companyIDs) String() string { return strings.Join(*c, ",") }

func (c *companyIDs) Set(value string) error {
	for _, part := range strings.Split(value, ",") {
		part = strings.TrimSpace(part)
		if err := checkCompanyRef(part); err != nil {
			return err
		}
		*c = append(*c, part)
	}
	return nil
}

// checkCompanyRef refuses, before anything is looked up, what can't be a company's ID.
func checkCompanyRef(ref string) error {
	if connections.LooksLikeCompanyID(ref) {
		return nil
	}
	return usageError("A company ID is a number such as 31001, or an X-Series store's ID such as 0adfd74a-153e-11e9-fa42-67b5781ba1fb; %q is neither. Run \"lightspeed-connect status\" to see the IDs.", ref)
}

// resolve is the companies' IDs on this computer (see connections.Core.CompanyIDs).
func (c companyIDs) resolve(ctx context.Context, core *connections.Core) ([]int64, error) {
	return core.CompanyIDs(ctx, c)
}

// setUpCommand is the command that saves the integration's details, for the sentences that
// say how to do it.
const setUpCommand = `printf '%s\n' "$CLIENT_SECRET" | lightspeed-connect connect --client-id CLIENT_ID --client-secret-stdin --redirect-uri REDIRECT_URI`

// requireSettings makes sure the integration's settings (with the secret) are there; when
// they are not, the error's fix says how to give them.
func requireSettings(ctx context.Context, core *connections.Core) error {
	_, err := core.Settings(ctx)
	return err
}

// fixCommand renders a fix the command-line way: the command that does it, with what to do
// first when a command alone can't.
func fixCommand(f problem.Fix) string {
	return fixCommandFor(f, strconv.FormatInt(f.CompanyID, 10))
}

// fixCommandFor is fixCommand naming the company as id (its ID as people know it, which
// --company takes).
func fixCommandFor(f problem.Fix, id string) string {
	switch f.Action {
	case problem.ActionReconnect:
		return "lightspeed-connect connect --company " + id
	case problem.ActionConnect:
		return "lightspeed-connect connect"
	case problem.ActionSetUp:
		return setUpCommand
	case problem.ActionEnterSecret:
		return `printf '%s\n' "$CLIENT_SECRET" | lightspeed-connect connect --client-secret-stdin`
	case problem.ActionCopySettings:
		company := ""
		if f.CompanyID != 0 {
			company = " --company " + id
		}
		return "copy the Client ID and Secret again from the integration's settings in Lightspeed, then run: lightspeed-connect connect" +
			company + " --client-id CLIENT_ID --client-secret-stdin (the secret is read from standard input)"
	case problem.ActionCheckInternet:
		return "check the internet connection, then run: lightspeed-connect status --check"
	case problem.ActionUnlockKeyring:
		return "unlock the system keychain, then run: lightspeed-connect status --check"
	case problem.ActionListCompanies:
		return "lightspeed-connect status"
	default:
		return "lightspeed-connect status --check"
	}
}

// connectedCore is core for commands that need at least one connected company: with none,
// it says so (nothingConnected) instead of failing on missing settings or writing nothing.
func (env *Env) connectedCore(ctx context.Context) (*connections.Core, error) {
	core, err := env.core()
	if err != nil {
		return nil, err
	}
	statuses, err := core.Statuses(ctx)
	if err != nil {
		return nil, err
	}
	if len(statuses) == 0 {
		return nil, nothingConnected(env)
	}
	return core, nil
}

// nothingConnected is what status and refresh say when no company is connected.
func nothingConnected(env *Env) error {
	fmt.Fprintln(env.Stdout, "Nothing is connected yet. Run \"lightspeed-connect connect\" (or open the app) to connect a company.")
	return errAttention
}

// isTerminal reports whether r is a terminal (a person typing) rather than a pipe or a file.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
