// Package cli is the command line of Lightspeed Connect: one file per subcommand, each a thin
// face on the connections core, for support staff and scripts.
//
// Exit codes are stable: 0 success (or all healthy), 1 failed or something needs attention,
// 2 bad usage; exec ends with its command's exit code instead. Errors are one plain sentence
// plus the fix, on stderr. No command prints a token or secret to the terminal: export writes
// them to a file, token writes an access token only into a pipe or a file, and exec gives one
// to the command it runs.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// Exit codes shared by every subcommand.
const (
	ExitOK        = 0
	ExitAttention = 1
	ExitUsage     = 2
)

// Env is what a subcommand may touch: its streams, the app's identity and the edges a test
// replaces. Tests build one with buffers; Main builds it from the process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Info   appinfo.Info
	// Options locate the keyring service and the state directory. Zero value: the real
	// keyring under "Lightspeed Connect" and the user's config directory. HTTPClient and Now
	// below fill in its HTTPClient and Now when those are unset.
	Options connections.Options
	// HTTPClient talks to Lightspeed. Default: a client with a 30-second timeout.
	HTTPClient *http.Client
	// OpenURL opens an address in the browser. Default: the system's opener.
	OpenURL func(address string) error
	// Now is the clock. Default: time.Now.
	Now func() time.Time

	stdin *bufio.Reader

	mu    sync.Mutex
	cores []*connections.Core // every core the command opened, for refreshing and drain
	child bool                // exec's command is running: signals are its to answer
}

// command is one subcommand: its one-line summary and the function that runs it.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// commands lists the subcommands by name. Each file of this package adds its own in init.
var commands = map[string]command{}

// Main runs the command line with the process's streams and returns the exit code. An
// interrupt (Ctrl+C) or SIGTERM cancels the running command cleanly; a refresh already sent
// is finished first (see runInterruptible).
func Main(args []string, info appinfo.Info) int {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Info: info, HTTPClient: defaultHTTPClient}
	return runInterruptible(env, args, signals)
}

// runInterruptible runs one subcommand, cancelling it on the first signal. A refresh whose
// request has left, or a connect whose code was exchanged, is not cut short: the new tokens
// may exist nowhere else (a server that rotates refresh tokens revokes the old one when it
// answers). So the command goes on until they are stored, saying connections.FinishingRefresh,
// for at most connections.DrainTimeout. A second signal during that wait says it once more
// and keeps waiting: losing the token would be worse than a few more seconds. A signal when
// nothing needs finishing, after the first, ends the process at once, except while exec's
// command runs: exec has passed the signal on, and waits for the command to end as it
// chooses (as env and aws-vault exec do), then ends with the command's status.
func runInterruptible(env *Env, args []string, signals <-chan os.Signal) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		interrupted := false
		for {
			select {
			case <-done:
				return
			case <-signals:
			}
			busy := env.refreshing()
			switch {
			case !busy && env.runningChild():
				// runChild has passed it on; the command's own end decides ours.
			case !interrupted && busy:
				fmt.Fprintln(env.Stderr, connections.FinishingRefresh)
				go env.drainOrExit(done)
			case busy:
				fmt.Fprintln(env.Stderr, "Still "+lowerFirst(connections.FinishingRefresh))
			case interrupted:
				os.Exit(exitInterrupted)
			}
			interrupted = true
			cancel()
		}
	}()
	return Run(ctx, env, args)
}

// exitInterrupted is the conventional exit code of a process ended by Ctrl+C (128 + SIGINT).
const exitInterrupted = 130

// drainOrExit waits for the refreshes in flight; if they outlast connections.DrainTimeout
// (their own bounds have failed), it says so and ends the process.
func (env *Env) drainOrExit(done <-chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), connections.DrainTimeout)
	defer cancel()
	if env.drain(ctx) {
		return
	}
	select {
	case <-done:
		return
	default:
	}
	fmt.Fprintln(env.Stderr, "The refresh didn't finish in time, so its new token may be lost. Run \"lightspeed-connect status --check\" to see whether the company still works.")
	os.Exit(exitInterrupted)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// Run runs one subcommand and returns its exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		printUsage(env.Stdout, env.Info)
		return ExitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "There is no command %q. Run \"lightspeed-connect help\" to see the commands.\n", args[0])
		return ExitUsage
	}
	err := cmd.run(ctx, env, args[1:])
	env.sayStateNotices()
	return exitCode(env, err)
}

// exitCode turns a command's error into its plain sentence on stderr and its exit code.
func exitCode(env *Env, err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.Is(err, errAttention):
		return ExitAttention
	}
	var ce *codeError
	if errors.As(err, &ce) {
		if ce.err != nil {
			say(env, ce.err)
		}
		return ce.code
	}
	say(env, err)
	if problem.Is(err, problem.KindUsage) {
		return ExitUsage
	}
	return ExitAttention
}

// codeError ends a command with its own exit code (exec's command's), after saying err's
// sentence when there is one.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit status %d", e.code)
}

// say prints an error's plain sentence, its fix as a command and its support detail.
func say(env *Env, err error) {
	fmt.Fprintln(env.Stderr, problem.Summary(err))
	if fix := problem.FixOf(err); fix.Action != problem.ActionNone {
		fmt.Fprintln(env.Stderr, "Fix: "+fixCommand(fix))
	}
	if detail := problem.Detail(err); detail != "" {
		fmt.Fprintln(env.Stderr, "Detail for support: "+detail)
	}
}

// errAttention ends a command with exit code 1 after it has already said everything itself.
var errAttention = errors.New("needs attention")

// usageError is a *problem.Error of kind usage: exit code 2 and the sentence on stderr.
func usageError(format string, args ...any) error {
	return problem.New(problem.KindUsage, fmt.Sprintf(format, args...), nil)
}

// newFlags makes a subcommand's flag set; its errors come back as usage errors.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: lightspeed-connect %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning a flag mistake into a usage error and refusing stray
// arguments, so that a typo never runs a command with defaults the user did not mean.
// productIDs are the IDs of the products the app connects (connections.Products), the default
// first, for the commands' help to list.
func productIDs() []string {
	var ids []string
	for _, p := range connections.Products() {
		ids = append(ids, p.ID)
	}
	return ids
}

// productChoices lists productIDs joined by sep, the last one by last:
// "o-series|k-series|x-series|r-series", "o-series, k-series, x-series or r-series".
func productChoices(sep, last string) string {
	ids := productIDs()
	return strings.Join(ids[:len(ids)-1], sep) + last + ids[len(ids)-1]
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError("Check the command's options: run \"lightspeed-connect %s -h\" to see them.", fs.Name())
	}
	if fs.NArg() > 0 {
		return usageError("Unexpected %q: run \"lightspeed-connect %s -h\" to see the options.", fs.Arg(0), fs.Name())
	}
	return nil
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

func printUsage(w io.Writer, info appinfo.Info) {
	fmt.Fprintf(w, "%s %s connects Lightspeed companies to an integration and keeps their tokens alive.\n\n", info.Name, info.Version)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w, "  lightspeed-connect              open the window")
	fmt.Fprintln(w, "  lightspeed-connect COMMAND      run a command without a window")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-16s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun \"lightspeed-connect COMMAND -h\" for a command's options.")
	fmt.Fprintln(w, "Exit codes: 0 success, 1 failed or needs attention, 2 bad usage.")
}
