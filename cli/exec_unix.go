//go:build unix

package cli

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// forwarded are the signals exec passes on to its command while it runs.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// runChild starts the command, passes on the signals we get while it runs, and waits for it.
// Ctrl+C and Ctrl+\ at a terminal already reach the command (it is in our process group, and
// the terminal signals the whole foreground group), so those are not sent a second time.
// Until the command ends, a signal no longer ends us (see runInterruptible): the command's
// exit is ours.
func runChild(env *Env, cmd *exec.Cmd) error {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	env.startedChild(true)
	defer env.startedChild(false)
	if err := cmd.Start(); err != nil {
		return startFailed(cmd.Args[0], err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if (s == syscall.SIGINT || s == syscall.SIGQUIT) && terminalSignalsUs() {
					continue
				}
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	return exitOf(err)
}

// terminalSignalsUs reports whether our process group is the foreground group of the terminal
// on one of our standard streams: then the terminal's keyboard signals reach the command too.
func terminalSignalsUs() bool {
	for _, fd := range []int{0, 1, 2} {
		if fg, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err == nil {
			return fg == unix.Getpgrp()
		}
	}
	return false
}

// signalNumber is the signal that ended the command, if one did.
func signalNumber(ee *exec.ExitError) (int, bool) {
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0, false
	}
	return int(ws.Signal()), true
}
