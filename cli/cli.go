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
}

// command is one subcommand: its one-line summary and the function that runs it.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// commands lists the subcommands by name. Each file of this package adds its own in init.
var commands = map[string]command{}

// Main runs the command line with the process's streams and returns the exit code. An
// interrupt (Ctrl+C) cancels the running command cleanly.
func Main(args []string, info appinfo.Info) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return Run(ctx, &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Info: info, HTTPClient: defaultHTTPClient}, args)
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
	return exitCode(env, cmd.run(ctx, env, args[1:]))
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
