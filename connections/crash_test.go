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
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Environment of the child process that refreshes until it is killed.
const (
	crashChildEnv   = "LSC_CRASH_CHILD"
	crashDirEnv     = "LSC_CRASH_DIR"
	crashServiceEnv = "LSC_CRASH_SERVICE"
	crashCompanyEnv = "LSC_CRASH_COMPANY"
	crashAimEnv     = "LSC_CRASH_AIM" // "1": say "r" on stdout the moment each token reply is read
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
	opts := Options{Dir: os.Getenv(crashDirEnv), Service: os.Getenv(crashServiceEnv)}
	if os.Getenv(crashAimEnv) == "1" {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: replySignal(http.DefaultTransport)}
	}
	core, err := Open(opts)
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
// child read its reply loses the connection: no client can survive that without a grace period
// at the server. A kill after the reply was read loses it only if the new tokens weren't
// recoverable yet (see TestRefreshSIGKILLInReplyWindow, which aims there). The test reports
// the loss rate, each loss counted by where the kill landed (the child says when it has read a
// reply), and fails when losses are common (a client that stores the rotated token late, or
// never, loses nearly every round).
func TestRefreshSIGKILLLossRate(t *testing.T) {
	f := newFixture(t, strict)
	connected, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := connected.Company.ID
	srv := f.practice.Server
	before := srv.Stats().TokenRequests
	lost, inFlight := 0, 0
	for round := range crashRounds {
		child := f.crashChild(t, round, id)
		var replies strings.Builder
		child.Stdout = &replies
		sentBefore := srv.Stats().TokenRequests
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill at a random point soon after the child's first refresh reached the server:
		// mid-request, mid-store or between refreshes.
		waitForTokenRequest(t, srv, sentBefore)
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		_ = child.Process.Kill()
		_ = child.Wait()
		sent := srv.Stats().TokenRequests - sentBefore
		if err := f.storedRefreshWorks(t, id); err != nil {
			lost++
			if sent > int64(replies.Len()) {
				inFlight++
			}
		}
	}
	t.Logf("SIGKILL during refresh under strict rotation: %d of %d kills lost the connection (%.0f%%): %d while a request was on its way (it had reached the server, its reply wasn't read yet), %d after a reply was read; %d token requests",
		lost, crashRounds, 100*float64(lost)/crashRounds, inFlight, lost-inFlight, srv.Stats().TokenRequests-before)
	if lost*4 > crashRounds {
		t.Fatalf("%d of %d kills lost the connection: the rotated refresh token is stored too late, or not at all", lost, crashRounds)
	}
}

// crashChild is the child of a crash round (not started yet): it refreshes company id until
// it is killed, saying "r" on stdout whenever it has read a token reply. Every round but the
// first reconnects the company first, for a fresh grant: the last round's check spent it.
func (f *fixture) crashChild(t *testing.T, round int, id int64) *exec.Cmd {
	t.Helper()
	if round > 0 {
		if _, err := f.connect(t, 0, ConnectOptions{Reconnect: id}); err != nil {
			t.Fatalf("round %d: reconnect: %v", round, err)
		}
	}
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(),
		crashChildEnv+"=1", crashAimEnv+"=1",
		crashDirEnv+"="+f.vault.Store.Dir(),
		crashServiceEnv+"="+f.vault.Secrets.Service(),
		crashCompanyEnv+"="+strconv.FormatInt(id, 10))
	return child
}

// replySignal writes "r" to stdout the moment a token reply has been read (its body closed by
// the OAuth client), for the parent to aim its kill at the window that follows.
func replySignal(base http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(req)
		if err == nil && strings.HasSuffix(req.URL.Path, "/token.json") {
			resp.Body = &closeStamp{ReadCloser: resp.Body, stamp: func() { _, _ = os.Stdout.Write([]byte("r")) }}
		}
		return resp, err
	})
}

// aimedKillSpread is how long after the token reply was read TestRefreshSIGKILLInReplyWindow
// kills, at most: a uniform point in it. It spans the window the keyring's write alone used to
// take (a median of 2.5-12 ms on a developer machine and a shared CI core).
const aimedKillSpread = 8 * time.Millisecond

// TestRefreshSIGKILLInReplyWindow is TestRefreshSIGKILLLossRate with every kill aimed at the
// reply window: the child says the moment it has read the token endpoint's reply, and the
// parent kills it at a uniform point within aimedKillSpread after that, when a refresh that
// stores the rotated token only in the keyring is most exposed. Each kill lands after the
// server rotated, so with no other copy nearly every kill before the keyring's write loses the
// connection (3-12 of 50 with the journal switched off, on a 2-core machine).
//
// The bound is the one the journal was built for: at most 1 lost in crashRounds (2%). A
// batch is a measurement on a shared machine, where another process can stall the child for
// a few milliseconds between the reply and its journal record, so a batch over the bound is
// followed by one more batch, and the test fails only when that one is over the bound too.
// A client whose tokens are not recoverable soon after the reply fails both batches nearly
// always (each loses several kills), so the second chance hides no broken journal.
func TestRefreshSIGKILLInReplyWindow(t *testing.T) {
	f := newFixture(t, strict)
	connected, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := connected.Company.ID
	lost := f.aimedKills(t, id, 0)
	if lost <= 1 {
		return
	}
	t.Logf("%d of %d kills lost in the first batch; measuring a second batch", lost, crashRounds)
	if lost = f.aimedKills(t, id, crashRounds); lost > 1 {
		t.Fatalf("%d of %d kills in the reply window lost the connection, in two batches: the rotated refresh token is not recoverable soon enough after the reply", lost, crashRounds)
	}
}

// aimedKills runs one batch of crashRounds kills aimed at the reply window of company id's
// refresh, logs the loss rate and returns how many kills lost the connection. first is the
// round number the batch starts at (round 0 alone starts on the grant it was given).
func (f *fixture) aimedKills(t *testing.T, id int64, first int) int {
	t.Helper()
	lost := 0
	var delays []time.Duration
	for round := first; round < first+crashRounds; round++ {
		child := f.crashChild(t, round, id)
		out, err := child.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rand.Int64N(int64(aimedKillSpread)))
		var b [1]byte
		if _, err := io.ReadFull(out, b[:]); err != nil {
			_ = child.Process.Kill()
			_ = child.Wait()
			t.Fatalf("round %d: the child read no token reply: %v", round, err)
		}
		read := time.Now()
		time.Sleep(delay) // not a spin: the child needs the CPU more than our aim does
		_ = child.Process.Kill()
		delays = append(delays, time.Since(read))
		_ = child.Wait()
		if err := f.storedRefreshWorks(t, id); err != nil {
			lost++
		}
	}
	slices.Sort(delays)
	t.Logf("SIGKILL aimed at the reply window (0-%v after the reply was read; median %v) under strict rotation: %d of %d kills lost the connection (%.0f%%)",
		aimedKillSpread, delays[len(delays)/2], lost, crashRounds, 100*float64(lost)/crashRounds)
	return lost
}

// TestRefreshCrashWindow measures the window in which a crash loses a rotated refresh token:
// from the moment the token endpoint's reply has been read to the moment the new tokens are
// recoverable after a kill (their journal record written and synced), and, as before the
// journal, to the moment the keyring has taken the new refresh token. It reports the figures;
// a test asserts no timing.
func TestRefreshCrashWindow(t *testing.T) {
	tv := testenv.NewVault(t)
	probe := &windowProbe{}
	v, err := vault.Open(vault.Options{Dir: tv.Dir, Service: tv.Service, Backend: probe.keyring(tv.Keyring),
		Recoverable: probe.recoverable})
	if err != nil {
		t.Fatal(err)
	}
	core := newCore(v, Options{HTTPClient: &http.Client{Transport: probe.transport(http.DefaultTransport), Timeout: 30 * time.Second}})
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
	probe.measured, probe.whole, probe.sets, probe.durable = nil, nil, nil, nil // the connect's exchange is not a refresh
	probe.mu.Unlock()
	const refreshes = 100
	for range refreshes {
		probe.arm()
		if err := core.Refresh(context.Background(), connected.Company.ID); err != nil {
			t.Fatal(err)
		}
	}
	w, d := probe.windows()
	if len(w) != refreshes || len(d) != refreshes {
		t.Fatalf("measured %d keyring windows and %d journal windows over %d refreshes", len(w), len(d), refreshes)
	}
	slices.Sort(w)
	slices.Sort(d)
	t.Logf("reply read → new tokens recoverable after a kill (journal record synced), over %d refreshes: median %v, p90 %v, max %v",
		len(d), d[len(d)/2], d[len(d)*9/10], d[len(d)-1])
	t.Logf("reply read → refresh token in the keyring: median %v, p90 %v, max %v, of which the keyring's own write takes a median %v; a whole refresh takes a median %v",
		w[len(w)/2], w[len(w)*9/10], w[len(w)-1], probe.median(&probe.sets), probe.median(&probe.whole))
}

// windowProbe timestamps the end of each token reply (its body closed by the OAuth client)
// and the return of the next keyring write of a refresh token.
type windowProbe struct {
	mu       sync.Mutex
	start    time.Time
	replied  time.Time
	durable  []time.Duration // reply → journal record synced
	measured []time.Duration
	whole    []time.Duration
	sets     []time.Duration // the keyring's own Set of the refresh token
}

func (p *windowProbe) arm() {
	p.mu.Lock()
	p.start, p.replied = time.Now(), time.Time{}
	p.mu.Unlock()
}

func (p *windowProbe) windows() (keyring, journal []time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.measured), slices.Clone(p.durable)
}

// recoverable is the vault's word that the new tokens would survive a kill.
func (p *windowProbe) recoverable(int64) {
	now := time.Now()
	p.mu.Lock()
	if !p.replied.IsZero() {
		p.durable = append(p.durable, now.Sub(p.replied))
	}
	p.mu.Unlock()
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
