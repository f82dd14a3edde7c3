package connections

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
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
	if os.Getenv(refreshOnceChildEnv) == "1" {
		os.Exit(refreshOnceAsChild())
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

// crashRounds is how many children TestRefreshSIGKILLLossRate kills.
const crashRounds = 50

// TestRefreshSIGKILLLossRate kills a process crashRounds times at random points while it
// refreshes against a server that rotates refresh tokens strictly (RFC 9700: the old token is
// refused once its successor is issued). After each kill it asks the token endpoint directly
// whether the stored refresh token still works. A kill after the server rotated and before the
// new token reached the keyring loses the connection: no client can survive that without a
// grace period at the server, so the test reports the loss rate, and fails when losses are
// common (a client that stores the rotated token late, or never, loses nearly every round).
func TestRefreshSIGKILLLossRate(t *testing.T) {
	f := newFixture(t, strict)
	connected, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := connected.Company.ID
	srv := f.practice.Server
	before := srv.Stats().TokenRequests
	lost := 0
	for round := range crashRounds {
		if round > 0 { // a fresh grant: the check below spent the last one
			if _, err := f.connect(t, 0, ConnectOptions{Reconnect: id}); err != nil {
				t.Fatalf("round %d: reconnect: %v", round, err)
			}
		}
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
		waitForTokenRequest(t, srv, srv.Stats().TokenRequests)
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		_ = child.Process.Kill()
		_ = child.Wait()
		if err := f.storedRefreshWorks(t, id); err != nil {
			lost++
		}
	}
	t.Logf("SIGKILL during refresh under strict rotation: %d of %d kills lost the connection (%.0f%%); %d token requests",
		lost, crashRounds, 100*float64(lost)/crashRounds, srv.Stats().TokenRequests-before)
	if lost*4 > crashRounds {
		t.Fatalf("%d of %d kills lost the connection: the rotated refresh token is stored too late, or not at all", lost, crashRounds)
	}
}

// TestRefreshCrashWindow measures the window in which a crash loses a rotated refresh token:
// from the moment the token endpoint's reply has been read to the moment the keyring has
// taken the new refresh token. It reports the figures; a test asserts no timing.
func TestRefreshCrashWindow(t *testing.T) {
	tv := testenv.NewVault(t)
	probe := &windowProbe{}
	core, err := Open(Options{Dir: tv.Dir, Service: tv.Service, Keyring: probe.keyring(tv.Keyring),
		HTTPClient: &http.Client{Transport: probe.transport(http.DefaultTransport), Timeout: 30 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, strict)
	f.core = core
	f.vault = core.vault
	if err := core.SaveSettings(context.Background(), f.practice.Settings); err != nil {
		t.Fatal(err)
	}
	connected, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	probe.mu.Lock()
	probe.measured, probe.whole, probe.sets = nil, nil, nil // the connect's exchange is not a refresh
	probe.mu.Unlock()
	const refreshes = 100
	for range refreshes {
		probe.arm()
		if err := core.Refresh(context.Background(), connected.Company.ID); err != nil {
			t.Fatal(err)
		}
	}
	w := probe.windows()
	if len(w) != refreshes {
		t.Fatalf("measured %d windows over %d refreshes", len(w), refreshes)
	}
	slices.Sort(w)
	t.Logf("reply read → refresh token in the keyring, over %d refreshes: median %v, p90 %v, max %v, of which the keyring's own write takes a median %v; a whole refresh takes a median %v",
		len(w), w[len(w)/2], w[len(w)*9/10], w[len(w)-1], probe.median(&probe.sets), probe.median(&probe.whole))
}

// windowProbe timestamps the end of each token reply (its body closed by the OAuth client)
// and the return of the next keyring write of a refresh token.
type windowProbe struct {
	mu       sync.Mutex
	start    time.Time
	replied  time.Time
	measured []time.Duration
	whole    []time.Duration
	sets     []time.Duration // the keyring's own Set of the refresh token
}

func (p *windowProbe) arm() {
	p.mu.Lock()
	p.start, p.replied = time.Now(), time.Time{}
	p.mu.Unlock()
}

func (p *windowProbe) windows() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.measured)
}

func (p *windowProbe) median(of *[]time.Duration) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := slices.Clone(*of)
	slices.Sort(w)
	return w[len(w)/2]
}

func (p *windowProbe) transport(base http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(req)
		if err == nil && strings.HasSuffix(req.URL.Path, "/token.json") {
			resp.Body = &closeStamp{ReadCloser: resp.Body, stamp: func() {
				p.mu.Lock()
				if p.replied.IsZero() {
					p.replied = time.Now()
				}
				p.mu.Unlock()
			}}
		}
		return resp, err
	})
}

func (p *windowProbe) keyring(base Keyring) Keyring { return &stampKeyring{Keyring: base, p: p} }

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type closeStamp struct {
	io.ReadCloser
	stamp func()
}

func (c *closeStamp) Close() error {
	c.stamp()
	return c.ReadCloser.Close()
}

type stampKeyring struct {
	Keyring
	p *windowProbe
}

func (k *stampKeyring) Set(service, user, password string) error {
	began := time.Now()
	err := k.Keyring.Set(service, user, password)
	if strings.HasSuffix(user, ":refresh") {
		now := time.Now()
		k.p.mu.Lock()
		if !k.p.replied.IsZero() {
			k.p.sets = append(k.p.sets, now.Sub(began))
			k.p.measured = append(k.p.measured, now.Sub(k.p.replied))
			k.p.whole = append(k.p.whole, now.Sub(k.p.start))
			k.p.replied = time.Time{}
		}
		k.p.mu.Unlock()
	}
	return err
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
