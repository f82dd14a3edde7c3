package connections

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
)

// Environment of the child process that refreshes until it is killed.
const (
	crashChildEnv   = "LSC_CRASH_CHILD"
	crashDirEnv     = "LSC_CRASH_DIR"
	crashServiceEnv = "LSC_CRASH_SERVICE"
	crashCompanyEnv = "LSC_CRASH_COMPANY"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) == "1" {
		refreshUntilKilled()
		return
	}
	os.Exit(m.Run())
}

// refreshUntilKilled is the child: it refreshes one company in a loop, as fast as it can.
func refreshUntilKilled() {
	core, err := Open(Options{Dir: os.Getenv(crashDirEnv), Service: os.Getenv(crashServiceEnv)})
	if err != nil {
		os.Exit(3)
	}
	id, _ := strconv.ParseInt(os.Getenv(crashCompanyEnv), 10, 64)
	for {
		_ = core.Refresh(context.Background(), id)
	}
}

// TestRefreshSurvivesSIGKILL kills a process 50 times at random points while it refreshes
// against a server that rotates refresh tokens; after every kill the stored refresh token
// must still work.
func TestRefreshSurvivesSIGKILL(t *testing.T) {
	f := newFixture(t, PracticeConfig{RotateRefresh: true})
	connected, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := connected.Company.ID
	ctx := context.Background()
	before := f.practice.Server.Stats().TokenRequests
	for round := range 50 {
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(),
			crashChildEnv+"=1",
			crashDirEnv+"="+f.vault.Store.Dir(),
			crashServiceEnv+"="+f.vault.Secrets.Service(),
			crashCompanyEnv+"="+strconv.FormatInt(id, 10))
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill at a random point soon after the child's first refresh reached the server:
		// mid-request, mid-store or between refreshes.
		waitForTokenRequest(t, f.practice.Server, f.practice.Server.Stats().TokenRequests)
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		_ = child.Process.Kill()
		_ = child.Wait()

		if err := f.core.Refresh(ctx, id); err != nil {
			t.Fatalf("round %d: after SIGKILL the stored refresh token no longer works: %v", round, err)
		}
	}
	t.Logf("%d token requests over 50 killed children and 50 checks", f.practice.Server.Stats().TokenRequests-before)
}

// waitForTokenRequest waits until the server has seen more than seen token requests.
func waitForTokenRequest(t *testing.T, srv *practice.Server, seen int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for srv.Stats().TokenRequests <= seen {
		if time.Now().After(deadline) {
			t.Fatal("the child sent no refresh within 30 s")
		}
		time.Sleep(time.Millisecond)
	}
}
