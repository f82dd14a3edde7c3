package cli

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// storedRefreshToken reads the company's stored refresh token through an export, not
// through the refresh code under test.
func (f *fixture) storedRefreshToken(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stored.json")
	if r := f.run(t, "", "export", "--out", path); r.code != 0 {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	return testenv.ExportedRefreshToken(t, path)
}

// TestInterruptDuringRefreshLosesNothing runs `refresh` in a child process against a
// practice server that rotates strictly and answers slowly, and sends SIGINT (or SIGTERM)
// while the request is on its way. The command says it is finishing, stores the rotated
// token, and the stored refresh token works when asked directly at the token endpoint.
func TestInterruptDuringRefreshLosesNothing(t *testing.T) {
	const rounds = 10
	const latency = 400 * time.Millisecond
	f := newFixture(t, connections.PracticeConfig{RotateRefresh: true, StrictRotation: true})
	if r := f.connect(t, 0, f.secret(), f.settingsFlags()...); r.code != 0 {
		t.Fatalf("connect: exit %d\n%s", r.code, r.stderr)
	}
	srv := f.practice.Server
	lost := 0
	for round := range rounds {
		if round > 0 { // a fresh grant: the check below spent the last one
			if r := f.connect(t, 0, "", "--company", "31001"); r.code != 0 {
				t.Fatalf("round %d: reconnect: exit %d\n%s", round, r.code, r.stderr)
			}
		}
		srv.SetLatency(latency)
		seen := srv.Stats().TokenRequests
		var stderr bytes.Buffer
		child := exec.Command(os.Args[0], "-test.run=^$", childArgsMark, "refresh")
		child.Env = append(os.Environ(), cliChildEnv+"=1", cliChildDirEnv+"="+f.opts.Dir, cliChildServiceEnv+"="+f.opts.Service)
		child.Stderr = &stderr
		child.Dir = t.TempDir() // where a rescue file would go
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		waitForTokenRequest(t, func() int64 { return srv.Stats().TokenRequests }, seen)
		time.Sleep(time.Duration(rand.IntN(250)) * time.Millisecond)
		sig := os.Interrupt
		if round%2 == 1 {
			sig = syscall.SIGTERM
		}
		_ = child.Process.Signal(sig)
		time.Sleep(20 * time.Millisecond)
		_ = child.Process.Signal(sig) // a second press: it must keep waiting
		_ = child.Wait()
		srv.SetLatency(0)
		if !strings.Contains(stderr.String(), connections.FinishingRefresh) {
			t.Fatalf("round %d: the signal did not land during the refresh, or nothing was said: %q", round, stderr.String())
		}
		ps := f.practice.Settings
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := testenv.RefreshWorks(ctx, ps.TokenURL, ps.ClientID, ps.ClientSecret, f.storedRefreshToken(t)); err != nil {
			lost++
			t.Errorf("round %d: after %v during the refresh the stored refresh token is lost: %v\n%s", round, sig, err, stderr.String())
		}
		cancel()
	}
	t.Logf("%d of %d interrupted refreshes lost their token", lost, rounds)
}

// waitForTokenRequest waits until the practice server has seen more than seen token requests.
func waitForTokenRequest(t *testing.T, tokenRequests func() int64, seen int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for tokenRequests() <= seen {
		if time.Now().After(deadline) {
			t.Fatal("the child sent no refresh within 30 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestKeyringRefusingARefreshLeavesAWorkingRescueFile: under strict rotation the keyring
// refuses the refreshed tokens; `refresh` says so, tries once more, then writes a rescue file
// whose refresh token works when asked directly at the token endpoint.
func TestKeyringRefusingARefreshLeavesAWorkingRescueFile(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{RotateRefresh: true, StrictRotation: true})
	if r := f.connect(t, 0, f.secret(), f.settingsFlags()...); r.code != 0 {
		t.Fatalf("connect: exit %d\n%s", r.code, r.stderr)
	}
	t.Chdir(t.TempDir())
	f.keyring.RefuseWrites(true)
	r := f.run(t, "", "refresh")
	if r.code != 1 || !strings.Contains(r.stderr, "couldn't store the new token") || !strings.Contains(r.stderr, "saved to") ||
		strings.Contains(strings.ToLower(r.stderr+r.stdout), "nothing has been lost") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	files, _ := filepath.Glob("lightspeed-connect-rescue-31001-*.json")
	if len(files) != 1 {
		t.Fatalf("rescue files: %v", files)
	}
	rescued := testenv.ExportedRefreshToken(t, files[0])
	ps := f.practice.Settings
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := testenv.RefreshWorks(ctx, ps.TokenURL, ps.ClientID, ps.ClientSecret, rescued); err != nil {
		t.Fatalf("the rescue file's refresh token does not work: %v", err)
	}
	f.assertNoSecretPrinted(t)
}
