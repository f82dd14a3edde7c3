//go:build windows

package cli

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// runChild starts the command and waits for it. On Windows, Ctrl+C, Ctrl+Break and closing
// the console reach every program attached to the console, the command included, and can't be
// sent on to one process; so while the command runs they are only kept from ending us first,
// and the command decides how to end; its exit is ours.
func runChild(env *Env, cmd *exec.Cmd) error {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	env.startedChild(true)
	defer env.startedChild(false)
	if err := cmd.Start(); err != nil {
		return startFailed(cmd.Args[0], err)
	}
	return exitOf(cmd.Wait())
}

// signalNumber: on Windows no signal ends a process; its exit code says how it ended.
func signalNumber(*exec.ExitError) (int, bool) { return 0, false }
