package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// openPTY opens a pseudo-terminal and returns its two ends.
func openPTY(t *testing.T) (main, term *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open the terminal end: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return m, s
}

// token never writes the access token to a terminal.
func TestTokenRefusesATerminal(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	f.connectFirst(t)
	ptm, term := openPTY(t)
	var stderr bytes.Buffer
	code := Run(context.Background(), f.env(strings.NewReader(""), term, &stderr), []string{"token"})
	if code != 2 || !strings.Contains(stderr.String(), "only into a pipe or a file") {
		t.Fatalf("token to a terminal: exit %d, %q", code, stderr.String())
	}
	// Nothing reached the terminal.
	fds := []unix.PollFd{{Fd: int32(ptm.Fd()), Events: unix.POLLIN}}
	if n, err := unix.Poll(fds, int((200 * time.Millisecond).Milliseconds())); err != nil || n != 0 {
		t.Fatalf("something was written to the terminal (poll %d, %v)", n, err)
	}
}
