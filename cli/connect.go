package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

func init() {
	commands["connect"] = command{summary: "connect a company (or reconnect one with --company)", run: runConnect}
}

// connectOptions are the flags of `connect`.
type connectOptions struct {
	noBrowser    bool
	timeout      time.Duration
	company      int64
	companyRef   string
	product      string
	clientID     string
	secretStdin  bool
	redirectURI  string
	authorizeURL string
	tokenURL     string
	apiURL       string
	advanced     []settingFlag
}

func (o *connectOptions) changesSettings() bool {
	return o.clientID != "" || o.secretStdin || o.redirectURI != "" || o.authorizeURL != "" || o.tokenURL != "" || o.apiURL != "" || settingsGiven(o.advanced)
}

// runConnect runs the consent flow: saved settings (or the flags, which are then saved),
// preflight, the browser, the answer, the company and its sites stored.
func runConnect(ctx context.Context, env *Env, args []string) error {
	var o connectOptions
	fs := newFlags(env, "connect", "[--product "+productChoices("|", "|")+"] [--no-browser] [--timeout D] [--company ID] [--client-id ID --client-secret-stdin --redirect-uri URI] [--authorize-url U --token-url U --api-url U] "+settingsSynopsis())
	fs.BoolVar(&o.noBrowser, "no-browser", false, "print the consent address alone on the first line of stdout instead of opening the browser")
	fs.DurationVar(&o.timeout, "timeout", connections.DefaultConnectTimeout, "how long to wait for the approval in the browser")
	fs.StringVar(&o.companyRef, "company", "", "the ID of a connected company to reconnect")
	fs.StringVar(&o.product, "product", "", "the Lightspeed product to connect: "+productChoices(", ", " or ")+" (default: the one used last, else "+connections.DefaultProductID+")")
	fs.StringVar(&o.clientID, "client-id", "", "the integration's Client ID (saved for next time)")
	fs.BoolVar(&o.secretStdin, "client-secret-stdin", false, "read the integration's Client Secret from the first line of stdin (saved in the keychain)")
	fs.StringVar(&o.redirectURI, "redirect-uri", "", "the integration's Redirect URI, as registered in Lightspeed (default "+connections.SuggestedRedirectURI+"; for k-series, which takes only https, "+connections.SuggestedHTTPSRedirectURI+")")
	fs.StringVar(&o.authorizeURL, "authorize-url", "", "Lightspeed's sign-in address (default: production)")
	fs.StringVar(&o.tokenURL, "token-url", "", "Lightspeed's token address (default: production)")
	fs.StringVar(&o.apiURL, "api-url", "", "Lightspeed's API address (default: production)")
	o.advanced = settingFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	markGiven(fs, o.advanced)
	if o.timeout <= 0 {
		return usageError("--timeout is how long to wait for the approval, such as 5m or 90s; %s is not one.", o.timeout)
	}
	if o.product != "" {
		if _, err := connections.ProductByID(o.product); err != nil {
			return err
		}
	}
	if o.companyRef != "" {
		if err := checkCompanyRef(o.companyRef); err != nil {
			return err
		}
	}
	core, err := env.core()
	if err != nil {
		return err
	}
	if o.companyRef != "" {
		if o.company, err = core.CompanyID(ctx, o.companyRef); err != nil {
			return err
		}
	}
	product, err := core.ConnectProduct(ctx, connections.ConnectOptions{Product: o.product, Reconnect: o.company})
	if err != nil {
		return err
	}
	o.product = product.ID
	if err := prepareSettings(ctx, env, core, &o); err != nil {
		return err
	}
	if err := requireConnected(ctx, core, o.company); err != nil {
		return err
	}
	attempt, err := core.StartConnect(ctx, connections.ConnectOptions{Timeout: o.timeout, Reconnect: o.company, Product: o.product})
	if err != nil {
		return err
	}
	defer attempt.Close()
	showConsent(env, attempt, product, o.noBrowser)
	connected, err := awaitApproval(ctx, env, attempt)
	if connected != nil {
		printConnected(env.Stdout, connected)
	}
	if unsaved := connections.AsUnsaved(err); unsaved != nil {
		return rescue(ctx, env, unsaved)
	}
	return err
}

// prepareSettings saves the settings given as flags, or makes sure saved ones exist.
func prepareSettings(ctx context.Context, env *Env, core *connections.Core, o *connectOptions) error {
	if o.changesSettings() {
		return saveSettingsFromFlags(ctx, env, core, o)
	}
	_, err := core.SettingsFor(ctx, o.product)
	return err
}

// requireConnected refuses to reconnect a company that is not connected here, before the
// person goes through the browser for nothing.
func requireConnected(ctx context.Context, core *connections.Core, id int64) error {
	if id == 0 {
		return nil
	}
	statuses, err := core.Statuses(ctx)
	if err != nil {
		return err
	}
	for _, s := range statuses {
		if s.ID == id {
			return nil
		}
	}
	return problem.New(problem.KindNotFound,
		connections.NotConnected(id)+" Run \"lightspeed-connect status\" to see the IDs, or run \"lightspeed-connect connect\" without --company to connect a new one.", nil)
}

// saveSettingsFromFlags merges the flags into the saved settings and saves them.
func saveSettingsFromFlags(ctx context.Context, env *Env, core *connections.Core, o *connectOptions) error {
	s, err := core.SavedSettingsFor(ctx, o.product)
	if err != nil && !problem.Is(err, problem.KindNotFound) {
		return err
	}
	s.Product = o.product
	sameClient := o.clientID == "" || o.clientID == s.ClientID
	s.ClientID = firstNonEmpty(o.clientID, s.ClientID)
	s.RedirectURI = firstNonEmpty(o.redirectURI, s.RedirectURI, s.SuggestedRedirectURI())
	s.AuthorizeURL = firstNonEmpty(o.authorizeURL, s.AuthorizeURL)
	s.TokenURL = firstNonEmpty(o.tokenURL, s.TokenURL)
	s.APIURL = firstNonEmpty(o.apiURL, s.APIURL)
	if err := applySettingFlags(&s, o.advanced); err != nil {
		return err
	}
	switch {
	case o.secretStdin:
		if isTerminal(env.Stdin) {
			fmt.Fprintln(env.Stderr, "Paste the integration's Client Secret and press Enter (it shows as you type; to keep it off the screen, pipe it in instead):")
		}
		secret, err := env.readLine()
		if err != nil || strings.TrimSpace(secret) == "" {
			return usageError("--client-secret-stdin reads the Client Secret from the first line of standard input, but there was none. For example: printf '%%s\\n' \"$SECRET\" | lightspeed-connect connect --client-id ID --client-secret-stdin")
		}
		s.ClientSecret = secret
	case sameClient && s.ClientID != "":
		full, err := core.SettingsFor(ctx, o.product)
		if err != nil {
			return err
		}
		s.ClientSecret = full.ClientSecret
	case s.ClientID == "":
		return usageError("%s", connections.NotSetUp+" Connect needs its details: "+setUpCommand)
	default:
		return usageError("A new Client ID needs its Client Secret: add --client-secret-stdin and give the secret on standard input.")
	}
	return core.SaveSettings(ctx, s)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// showConsent prints the consent address (with --no-browser, alone on stdout's first line)
// or opens it, and says on stderr what the person should do, in the product's words.
func showConsent(env *Env, attempt *connections.Attempt, product connections.Product, noBrowser bool) {
	if noBrowser {
		fmt.Fprintln(env.Stdout, attempt.AuthURL())
		fmt.Fprintln(env.Stderr, "Open the address above in a browser.")
	} else if err := env.openURL(attempt.AuthURL()); err != nil {
		fmt.Fprintln(env.Stderr, "Couldn't open the browser. Open this address in your browser:")
		fmt.Fprintln(env.Stdout, attempt.AuthURL())
	} else {
		fmt.Fprintln(env.Stderr, "Your browser is opening Lightspeed's sign-in page.")
	}
	left := time.Until(attempt.Deadline()).Round(time.Second)
	fmt.Fprintf(env.Stderr, "Waiting for you in the browser (up to %d:%02d)…\n", int(left.Minutes()), int(left.Seconds())%60)
	for i, step := range product.ConsentSteps() {
		fmt.Fprintf(env.Stderr, "  %d. %s\n", i+1, step)
	}
	fmt.Fprintln(env.Stderr, product.RedirectMismatchHint())
}

// awaitApproval waits for the answer, or reads pasted addresses when the app can't catch it.
func awaitApproval(ctx context.Context, env *Env, attempt *connections.Attempt) (*connections.Connected, error) {
	if attempt.Catchable() {
		return attempt.Wait(ctx)
	}
	for {
		fmt.Fprintln(env.Stderr, "After Grant Access, copy the whole address your browser ends on, paste it here and press Enter:")
		line, err := env.readLine()
		if errors.Is(err, io.EOF) {
			return nil, problem.New(problem.KindCanceled, "No address was pasted, so nothing was connected. Run the command again when you're ready.", err)
		}
		connected, err := attempt.Paste(ctx, line)
		if connections.PasteRefused(err) {
			fmt.Fprintln(env.Stderr, problem.Summary(err))
			continue
		}
		return connected, err
	}
}

// printConnected says which company is connected, and its sites.
func printConnected(w io.Writer, c *connections.Connected) {
	if c.Company.Product.ID == connections.DefaultProductID {
		fmt.Fprintf(w, "%s (ID %d)\n", c.Headline(), c.Company.ID)
	} else {
		fmt.Fprintf(w, "%s (%s, ID %s)\n", c.Headline(), c.Company.Product.Name, c.Company.ExternalID)
	}
	fmt.Fprintln(w, c.Company.Product.ShopsLine(c.Company.Sites))
	if note := c.Company.SitesNote(); note != "" {
		fmt.Fprintln(w, note)
	}
}

// rescue handles tokens issued but not stored (a new connection, or a refresh the keyring
// refused): one more try, then a file, so the refresh token (which cannot be recovered) is
// never lost when the command exits.
func rescue(ctx context.Context, env *Env, unsaved *connections.UnsavedError) error {
	fmt.Fprintln(env.Stderr, unsaved.Error())
	fmt.Fprintln(env.Stderr, "Trying to store it once more…")
	// The command may have been interrupted: storing once more is part of finishing it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), connections.DrainTimeout)
	defer cancel()
	if connected, err := unsaved.Retry(ctx); err == nil {
		if unsaved.Refreshed() {
			fmt.Fprintln(env.Stdout, unsaved.StoredAfterRetry())
		} else {
			printConnected(env.Stdout, connected)
		}
		return nil
	} else if next := connections.AsUnsaved(err); next != nil {
		unsaved = next // the newest tokens held
	}
	path, err := writeRescueFile(env, unsaved)
	if err != nil {
		return problem.New(problem.KindNotStored,
			"The connection could not be stored or saved to a file, so it will be lost when this command ends. Fix the keychain (see the sentence above), then connect again.", err)
	}
	fmt.Fprintf(env.Stderr, "The connection was saved to %s instead, because the keychain still refuses it. The file holds the connection's tokens: keep it private. Once the keychain works, connect again; until then the integration can use this file.\n", path)
	return errAttention
}

// rescueHeld rescues every refresh of core whose tokens are held in memory only; it returns
// errAttention when any could not be stored.
func rescueHeld(ctx context.Context, env *Env, core *connections.Core) error {
	var failed error
	for _, u := range core.Unsaved() {
		if err := rescue(ctx, env, u); err != nil {
			if !errors.Is(err, errAttention) {
				exitCode(env, err)
			}
			failed = errAttention
		}
	}
	return failed
}

// writeRescueFile writes the unsaved connection to a new file in the current directory, or
// in the home directory if that fails.
func writeRescueFile(env *Env, unsaved *connections.UnsavedError) (string, error) {
	name := unsaved.RescueFileName(env.now())
	var dirs []string
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, wd)
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, home)
	}
	err := errors.New("no folder to write to")
	for _, dir := range dirs {
		path := filepath.Join(dir, name)
		if err = unsaved.Export(path, connections.FormatJSON, false); err == nil {
			return path, nil
		}
	}
	return "", err
}
