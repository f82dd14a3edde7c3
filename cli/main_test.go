package cli

import (
	"os"
	"os/signal"
	"slices"
	"syscall"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
)

// The test binary plays two more parts when re-executed: the command line as Main runs it,
// real signals included (cliChildEnv, its arguments after childArgsMark, on the test's state
// directory and keyring service), and the command that exec runs (helperEnv says which
// behaviour; see exec_test.go).
const (
	cliChildEnv        = "LSC_CLI_CHILD"
	cliChildDirEnv     = "LSC_CLI_CHILD_DIR"
	cliChildServiceEnv = "LSC_CLI_CHILD_SERVICE"
	childArgsMark      = "--cli--"
	helperEnv          = "LSC_TEST_EXEC_HELPER"
)

func TestMain(m *testing.M) {
	// The command line first: its own environment names the helper for the command it runs.
	if os.Getenv(cliChildEnv) == "1" {
		os.Exit(cliProcess())
	}
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(execHelper(mode))
	}
	os.Exit(m.Run())
}

// cliProcess runs the command line as Main does, on the test's state directory and keyring
// service.
func cliProcess() int {
	_ = os.Unsetenv(cliChildEnv) // the command it runs is not the command line again
	i := slices.Index(os.Args, childArgsMark)
	if i < 0 {
		return 3
	}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Info: appinfo.Info{Name: "Lightspeed Connect", Version: "test"},
		Options: connections.Options{Dir: os.Getenv(cliChildDirEnv), Service: os.Getenv(cliChildServiceEnv)}}
	return runInterruptible(env, os.Args[i+1:], signals)
}
