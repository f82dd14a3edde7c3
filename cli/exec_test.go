package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// execHelper is the command exec runs in these tests.
func execHelper(mode string) int {
	switch mode {
	case "env": // print the environment
		for _, kv := range os.Environ() {
			fmt.Println(kv)
		}
		return 0
	case "cat": // copy stdin to stdout, say something on stderr, exit with the code asked for
		_, _ = io.Copy(os.Stdout, os.Stdin)
		fmt.Fprintln(os.Stderr, "helper stderr")
		code, _ := strconv.Atoi(os.Getenv("LSC_TEST_EXIT_CODE"))
		return code
	case "trap": // wait for SIGTERM or SIGINT, say which, exit 42
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
		fmt.Println("ready")
		select {
		case s := <-sigs:
			fmt.Println("got " + s.String())
			return 42
		case <-time.After(20 * time.Second):
			fmt.Println("no signal came")
			return 99
		}
	case "trap-twice": // answer two SIGINTs, say each, then exit 43 on its own
		sigs := make(chan os.Signal, 2)
		signal.Notify(sigs, os.Interrupt)
		fmt.Println("ready")
		for n := 1; n <= 2; n++ {
			select {
			case <-sigs:
				fmt.Println("got interrupt " + strconv.Itoa(n))
			case <-time.After(20 * time.Second):
				fmt.Println("no signal came")
				return 99
			}
		}
		time.Sleep(100 * time.Millisecond) // still busy a moment after the second Ctrl+C
		fmt.Println("done")
		return 43
	case "die": // let SIGTERM end it
		fmt.Println("ready")
		time.Sleep(20 * time.Second)
		fmt.Println("no signal came")
		return 99
	}
	return 3
}

// helperArgs are exec's arguments to run the test binary as the helper.
func helperArgs(extra ...string) []string {
	return append([]string{"exec", "--company", "31001", "--", os.Args[0], "-test.run=^$"}, extra...)
}

func TestExecGivesTheAccessTokenButNoRefreshTokenOrSecret(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{RotateRefresh: true, StrictRotation: true})
	f.connectFirst(t)
	t.Setenv(helperEnv, "env")
	// Stale or secret variables already in our environment must not reach the command.
	t.Setenv("LIGHTSPEED_REFRESH_TOKEN", "parent-refresh-token")
	t.Setenv("LIGHTSPEED_1_REFRESH_TOKEN", "parent-numbered-refresh-token")
	t.Setenv("lightspeed_client_secret", "parent-client-secret")
	t.Setenv("LIGHTSPEED_ACCESS_TOKEN", "parent-stale-access-token")
	t.Setenv("LIGHTSPEED_OTHER_SETTING", "kept")

	r := f.run(t, "", helperArgs()...)
	if r.code != 0 {
		t.Fatalf("exec: exit %d\n%s", r.code, r.stderr)
	}
	vars := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		k, v, _ := strings.Cut(line, "=")
		vars[strings.ToUpper(k)] = append(vars[strings.ToUpper(k)], v)
	}
	one := func(name string) string {
		if len(vars[name]) != 1 {
			t.Fatalf("%s appears %d times", name, len(vars[name]))
		}
		return vars[name][0]
	}
	tok := one("LIGHTSPEED_ACCESS_TOKEN")
	if !f.apiAccepts(t, tok) {
		t.Error("the API refused LIGHTSPEED_ACCESS_TOKEN")
	}
	if exp, err := time.Parse(time.RFC3339, one("LIGHTSPEED_ACCESS_TOKEN_EXPIRES_AT")); err != nil || exp.Before(time.Now().Add(50*time.Minute)) {
		t.Errorf("LIGHTSPEED_ACCESS_TOKEN_EXPIRES_AT %q: %v", one("LIGHTSPEED_ACCESS_TOKEN_EXPIRES_AT"), err)
	}
	if got := one("LIGHTSPEED_COMPANY_ID"); got != "31001" {
		t.Errorf("LIGHTSPEED_COMPANY_ID %q", got)
	}
	if got := one("LIGHTSPEED_SITE_IDS"); got != "31001001,31001002,31001003" {
		t.Errorf("LIGHTSPEED_SITE_IDS %q", got)
	}
	if got := one("LIGHTSPEED_API_BASE_URL"); got != f.practice.Settings.APIURL {
		t.Errorf("LIGHTSPEED_API_BASE_URL %q, want %q", got, f.practice.Settings.APIURL)
	}
	if got := one("LIGHTSPEED_PRODUCT"); got != "o-series" {
		t.Errorf("LIGHTSPEED_PRODUCT %q", got)
	}
	if got := one("LIGHTSPEED_COMPANY_EXTERNAL_ID"); got != "31001" {
		t.Errorf("LIGHTSPEED_COMPANY_EXTERNAL_ID %q", got)
	}
	if got := one("LIGHTSPEED_OTHER_SETTING"); got != "kept" {
		t.Errorf("an unrelated variable was dropped: %q", got)
	}
	for _, name := range []string{"LIGHTSPEED_REFRESH_TOKEN", "LIGHTSPEED_1_REFRESH_TOKEN", "LIGHTSPEED_CLIENT_SECRET"} {
		if _, ok := vars[name]; ok {
			t.Errorf("%s reached the command", name)
		}
	}
	// No refresh token, code or client secret the server ever issued is in the environment.
	secrets := append(f.practice.Server.IssuedSecrets(), f.practice.Settings.ClientSecret)
	for _, s := range secrets {
		if s != tok && strings.Contains(r.stdout, s) {
			t.Fatal("a refresh token, code or the client secret reached the command's environment")
		}
	}
	f.assertNoSecretPrinted(t)
}

func TestExecPassesStreamsAndExitCode(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	f.connectFirst(t)
	t.Setenv(helperEnv, "cat")
	for _, code := range []int{0, 1, 7, 200} {
		t.Setenv("LSC_TEST_EXIT_CODE", strconv.Itoa(code))
		var stdout, stderr bytes.Buffer
		got := Run(context.Background(), f.env(strings.NewReader("line one\nline two\n"), &stdout, &stderr), helperArgs())
		if got != code || stdout.String() != "line one\nline two\n" || stderr.String() != "helper stderr\n" {
			t.Fatalf("exit %d (want %d), stdout %q, stderr %q", got, code, stdout.String(), stderr.String())
		}
	}
}

func TestExecUsageAndMissingCommand(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	f.connectFirst(t)
	if r := f.run(t, "", "exec"); r.code != 2 || !strings.Contains(r.stderr, "Say which command to run") {
		t.Errorf("exec without a command: exit %d, %q", r.code, r.stderr)
	}
	if r := f.run(t, "", "exec", "--"); r.code != 2 {
		t.Errorf("exec --: exit %d, %q", r.code, r.stderr)
	}
	if r := f.run(t, "", "exec", "--bogus", "--", "true"); r.code != 2 {
		t.Errorf("exec with a bad flag: exit %d, %q", r.code, r.stderr)
	}
	r := f.run(t, "", "exec", "--", "no-such-command-lsc-test")
	if r.code != 127 || !strings.Contains(r.stderr, `There is no command "no-such-command-lsc-test"`) {
		t.Errorf("missing command: exit %d, %q", r.code, r.stderr)
	}
	if r := f.run(t, "", "exec", "--company", "31009", "--", "true"); r.code != 1 || !strings.Contains(r.stderr, "No company with ID 31009") {
		t.Errorf("unknown company: exit %d, %q", r.code, r.stderr)
	}
}

// startExec starts the command line as a real process running exec with the helper in mode,
// and returns it with the command's output, line by line, and our stderr. It is killed when
// the test ends, at the latest after a minute.
func (f *fixture) startExec(t *testing.T, mode string) (*exec.Cmd, *bufio.Scanner, *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	cli := exec.CommandContext(ctx, os.Args[0], append([]string{"-test.run=^$", childArgsMark}, helperArgs()...)...)
	cli.Env = append(os.Environ(), cliChildEnv+"=1", cliChildDirEnv+"="+f.opts.Dir, cliChildServiceEnv+"="+f.opts.Service, helperEnv+"="+mode)
	out, err := cli.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &bytes.Buffer{}
	cli.Stderr = stderr
	if err := cli.Start(); err != nil {
		t.Fatal(err)
	}
	return cli, bufio.NewScanner(out), stderr
}

// The command line as a real process passes SIGTERM and SIGINT on to the command and exits
// with its code; a command that SIGTERM kills makes it exit 143.
func TestExecForwardsSignals(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no signals to forward: the console reaches the command itself")
	}
	f := newFixture(t, connections.PracticeConfig{})
	f.connectFirst(t)
	cases := []struct {
		mode     string
		sig      syscall.Signal
		wantCode int
		wantOut  string
	}{
		{"trap", syscall.SIGTERM, 42, "got terminated"},
		{"trap", syscall.SIGINT, 42, "got interrupt"},
		{"die", syscall.SIGTERM, 128 + int(syscall.SIGTERM), ""},
	}
	for _, c := range cases {
		t.Run(c.mode+"-"+c.sig.String(), func(t *testing.T) {
			cli, lines, stderr := f.startExec(t, c.mode)
			if !lines.Scan() || lines.Text() != "ready" {
				_ = cli.Process.Kill()
				_ = cli.Wait()
				t.Fatalf("the command did not start: %q\n%s", lines.Text(), stderr.String())
			}
			if err := cli.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			var rest strings.Builder
			for lines.Scan() {
				rest.WriteString(lines.Text())
			}
			_ = cli.Wait()
			if got := cli.ProcessState.ExitCode(); got != c.wantCode || rest.String() != c.wantOut {
				t.Fatalf("exit %d (want %d), output %q (want %q), state %v\n%s", got, c.wantCode, rest.String(), c.wantOut, cli.ProcessState, stderr.String())
			}
		})
	}
}

// TestExecWaitsForItsCommandAfterASecondInterrupt: a second Ctrl+C while no refresh is in
// flight is the command's to answer, as with env and aws-vault exec. The command traps both,
// goes on, and exits with its own code, which becomes exec's (not 130).
func TestExecWaitsForItsCommandAfterASecondInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no signals to forward: the console reaches the command itself")
	}
	f := newFixture(t, connections.PracticeConfig{})
	f.connectFirst(t)
	cli, lines, stderr := f.startExec(t, "trap-twice")
	var said []string
	for _, want := range []string{"ready", "got interrupt 1", "got interrupt 2", "done"} {
		if !lines.Scan() || lines.Text() != want {
			_ = cli.Process.Kill()
			_ = cli.Wait()
			t.Fatalf("after %q the command said %q, want %q; exit %v\n%s", said, lines.Text(), want, cli.ProcessState, stderr.String())
		}
		said = append(said, want)
		if want == "ready" || want == "got interrupt 1" {
			if err := cli.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
		}
	}
	_ = cli.Wait()
	if got := cli.ProcessState.ExitCode(); got != 43 {
		t.Fatalf("exit %d, want the command's own 43; state %v\n%s", got, cli.ProcessState, stderr.String())
	}
}
