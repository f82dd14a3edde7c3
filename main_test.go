package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"

	"github.com/zalando/go-keyring"

	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
)

// TestRealSecretServiceRoundTrip proves that go-keyring talks to a real Secret Service.
func TestRealSecretServiceRoundTrip(t *testing.T) {
	testenv.Need(t)
	const service, user = "lightspeed-connect-foundation-test", "round-trip"
	steps := []struct{ set, want string }{{"first value", "first value"}, {"second value", "second value"}}
	for _, step := range steps {
		if err := keyring.Set(service, user, step.set); err != nil {
			t.Fatalf("set: %v", err)
		}
		got, err := keyring.Get(service, user)
		if err != nil || got != step.want {
			t.Fatalf("get after set = %q, %v; want %q", got, err, step.want)
		}
	}
	if err := keyring.Delete(service, user); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := keyring.Get(service, user); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("get after delete: err = %v, want keyring.ErrNotFound", err)
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildBinary builds the real app once per test run.
func buildBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lsc-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "lightspeed-connect")
		out, err := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("could not build the app: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		_ = os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// TestWindowSmoke starts the real binary under the X server, finds its window by title,
// takes a screenshot that must not be blank, and asks the app to quit.
func TestWindowSmoke(t *testing.T) {
	testenv.Need(t)
	bin := buildBinary(t)
	app := startApp(t, bin, nil, "LANG=C", "LC_ALL=C")

	windowID := app.waitForWindow(t, "Lightspeed Connect", 60*time.Second)
	shot := screenshot(t, windowID)
	testenv.SavePNG(t, "smoke.png", shot)
	if colours := distinctColours(shot); colours < 3 {
		t.Fatalf("the window's screenshot has %d colour(s): it looks blank", colours)
	}

	if err := app.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-app.exited:
		if err != nil {
			t.Fatalf("the app did not exit cleanly: %s\nstderr:\n%s", exitStatus(err), app.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the app did not exit within 30 s of being asked\nstderr so far:\n%s", app.stderr.String())
	}
	if strings.Contains(app.stderr.String(), "locale") {
		t.Errorf("the app logged locale noise under LANG=C:\n%s", app.stderr.String())
	}
}

// runningApp is the real binary started by a test, with its stderr kept for the failure message.
type runningApp struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan error
}

// startApp starts bin with args and with the test's environment plus env, and kills it when
// the test ends.
func startApp(t *testing.T, bin string, args []string, env ...string) *runningApp {
	t.Helper()
	app := &runningApp{cmd: exec.Command(bin, args...), stderr: &syncBuffer{}, exited: make(chan error, 1)}
	app.cmd.Env = append(os.Environ(), env...)
	app.cmd.Stderr = app.stderr
	if err := app.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { app.exited <- app.cmd.Wait() }()
	t.Cleanup(func() { _ = app.cmd.Process.Kill() })
	return app
}

// waitForWindow polls xdotool until a visible window with the title appears. If the app dies
// first, or no window comes, it fails with the app's exit status and everything it wrote to
// stderr, and says whether the X server answers, so a red run explains itself.
func (app *runningApp) waitForWindow(t *testing.T, title string, timeout time.Duration) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^"+title+"$").Output()
		if ids := strings.Fields(string(out)); len(ids) > 0 {
			return ids[0]
		}
		select {
		case err := <-app.exited:
			t.Fatalf("the app exited before its window appeared: %s\n%s\nthe app's stderr:\n%s",
				exitStatus(err), xServerState(), orNothing(app.stderr.String()))
		case <-ctx.Done():
			t.Fatalf("no window titled %q appeared within %s\n%s\nthe app's stderr so far:\n%s",
				title, timeout, xServerState(), orNothing(app.stderr.String()))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// exitStatus describes how a process ended: its exit code, or the signal that killed it.
func exitStatus(err error) string {
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		if err == nil {
			return "exit status 0"
		}
		return err.Error()
	}
	if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return fmt.Sprintf("killed by signal %v", ws.Signal())
	}
	return fmt.Sprintf("exit status %d", exitErr.ExitCode())
}

// xServerState says whether the X server on $DISPLAY answers a real request (xdpyinfo).
func xServerState() string {
	display := os.Getenv("DISPLAY")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdpyinfo").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("the X server on DISPLAY=%q does not answer: %v: %s", display, err, strings.TrimSpace(string(out)))
	}
	return fmt.Sprintf("the X server on DISPLAY=%q answers", display)
}

func orNothing(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(nothing)"
	}
	return s
}

// syncBuffer is a bytes.Buffer that a running process can write while a test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// screenshot captures one window as a PNG with ImageMagick's import. A freshly mapped window
// may still be black for a frame or two, so it retries until something is drawn.
func screenshot(t *testing.T, windowID string) image.Image {
	t.Helper()
	var last image.Image
	for range 50 {
		out, err := exec.Command("import", "-window", windowID, "png:-").Output()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("screenshot is not a PNG: %v", err)
		}
		if distinctColours(img) >= 3 {
			return img
		}
		last = img
		time.Sleep(200 * time.Millisecond)
	}
	return last
}

func distinctColours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) > 16 {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// TestCommandLineIsQuiet runs the binary as support staff would, under the POSIX locale and
// without a display: plain answers, no Fyne noise, no panic.
func TestCommandLineIsQuiet(t *testing.T) {
	bin := buildBinary(t)
	cases := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"version", []string{"version"}, 0, "Lightspeed Connect " + appinfo.MustParse(fyneAppTOML).Version + "\n", ""},
		{"unknown command", []string{"bogus"}, 2, "", "There is no command \"bogus\". Run \"lightspeed-connect help\" to see the commands.\n"},
		{"window without a display", nil, 1, "", errNoDisplayText + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, c.args...)
			cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C", "DISPLAY=", "WAYLAND_DISPLAY=")
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				code = exitErr.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.wantCode || stdout.String() != c.wantStdout || stderr.String() != c.wantStderr {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr %q",
					code, &stdout, &stderr, c.wantCode, c.wantStdout, c.wantStderr)
			}
		})
	}
}

const errNoDisplayText = "No display was found, so the window can't open. " +
	"Start Lightspeed Connect from your desktop, or use its command line: run \"lightspeed-connect help\"."
