package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// Environment of the child process that holds one company's lock (see holdCompanyLockAsChild).
const (
	companyLockChildEnv = "LSC_VAULT_COMPANY_LOCK_CHILD"
	companyLockIDEnv    = "LSC_VAULT_COMPANY_LOCK_ID"
)

// holdCompanyLockAsChild takes company id's lock in dir, says "locked" on stdout and keeps it
// until stdin closes.
func holdCompanyLockAsChild(dir string) int {
	id, err := strconv.ParseInt(os.Getenv(companyLockIDEnv), 10, 64)
	if err != nil {
		return 2
	}
	v, err := Open(Options{Dir: dir, Service: "lsc-unused-" + randomHex(4), LockTimeout: time.Minute})
	if err != nil {
		return 2
	}
	unlock, err := v.lockCompanies(context.Background(), []int64{id})
	if err != nil {
		fmt.Println("error:", problem.KindOf(err))
		return 3
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	unlock()
	return 0
}

// blockingRefresh is a RefreshFunc that says when it has been called (entered, with the tokens
// it was given) and returns new tokens only once release is closed.
type blockingRefresh struct {
	entered chan Tokens
	release chan struct{}
	next    Tokens
}

func newBlockingRefresh(next Tokens) *blockingRefresh {
	return &blockingRefresh{entered: make(chan Tokens, 1), release: make(chan struct{}), next: next}
}

func (b *blockingRefresh) fn(_ context.Context, cur Tokens) (Tokens, error) {
	b.entered <- cur
	<-b.release
	return b.next, nil
}

// within waits for ch for at most d; the bool says whether it came.
func within[T any](ch <-chan T, d time.Duration) (T, bool) {
	select {
	case v := <-ch:
		return v, true
	case <-time.After(d):
		var zero T
		return zero, false
	}
}

// TestRefreshesOfDifferentCompaniesRunSideBySide: a refresh of company 1 is held mid-request;
// a refresh of company 2 must reach its own request meanwhile, and the state can be read and
// written (the state lock is not held around the network). With one lock for every refresh
// the second never gets in while the first waits.
func TestRefreshesOfDifferentCompaniesRunSideBySide(t *testing.T) {
	v, _ := testVault(t)
	connect(t, v, 1, "a1", "r1")
	connect(t, v, 2, "b1", "s1")
	ctx := context.Background()

	first := newBlockingRefresh(Tokens{AccessToken: "a2", RefreshToken: "r2", Expiry: expiry})
	firstDone := make(chan error, 1)
	go func() { _, err := v.Refresh(ctx, 1, first.fn); firstDone <- err }()
	if _, ok := within(first.entered, 10*time.Second); !ok {
		t.Fatal("the first refresh never started")
	}

	second := newBlockingRefresh(Tokens{AccessToken: "b2", RefreshToken: "s2", Expiry: expiry})
	secondDone := make(chan error, 1)
	go func() { _, err := v.Refresh(ctx, 2, second.fn); secondDone <- err }()
	if _, ok := within(second.entered, 10*time.Second); !ok {
		close(first.release)
		t.Fatal("company 2's refresh waited for company 1's: refreshes of different companies do not overlap")
	}
	updated := make(chan error, 1)
	go func() { updated <- v.Store.Update(ctx, func(*State) error { return nil }) }()
	if err, ok := within(updated, 10*time.Second); !ok || err != nil {
		close(first.release)
		close(second.release)
		t.Fatalf("the state could not be written while two refreshes were in flight (came %t, %v): the state lock is held around the network", ok, err)
	}
	close(second.release)
	close(first.release)
	for _, done := range []chan error{firstDone, secondDone} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for id, want := range map[int64]string{1: "r2", 2: "s2"} {
		if got, err := v.Tokens(ctx, id); err != nil || got.RefreshToken != want {
			t.Fatalf("company %d holds %v (%v); want %s", id, got, err, want)
		}
	}
	st, _ := v.Store.Load(ctx)
	if st.Company(1).LastRefresh.IsZero() || st.Company(2).LastRefresh.IsZero() || !st.Company(2).AccessExpiry.Equal(expiry) {
		t.Fatalf("the state was not updated after the refreshes: %+v", st.Companies)
	}
}

// TestRefreshesOfOneCompanyTakeTurns: refreshes of one company from many goroutines never
// overlap, and each reads the token the one before it stored.
func TestRefreshesOfOneCompanyTakeTurns(t *testing.T) {
	v, _ := testVault(t)
	connect(t, v, 1, "a0", "r0")
	ctx := context.Background()
	var mu sync.Mutex
	inFlight, most, n := 0, 0, 0
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := v.Refresh(ctx, 1, func(_ context.Context, cur Tokens) (Tokens, error) {
				mu.Lock()
				inFlight++
				most = max(most, inFlight)
				if seen[cur.RefreshToken] {
					t.Errorf("refresh token %s was read by two refreshes", cur.RefreshToken)
				}
				seen[cur.RefreshToken] = true
				n++
				next := fmt.Sprintf("r%d", n)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
				mu.Lock()
				inFlight--
				mu.Unlock()
				return Tokens{AccessToken: "a", RefreshToken: next, Expiry: expiry}, nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if most != 1 {
		t.Fatalf("%d refreshes of one company ran at once; want 1", most)
	}
	if got, _ := v.Tokens(ctx, 1); got.RefreshToken != "r8" {
		t.Fatalf("stored %q; want r8, the last of 8 refreshes in turn", got.RefreshToken)
	}
}

// TestDisconnectWaitsForARefreshInFlight: Disconnect during a refresh of the same company
// waits for it, then removes the company; the refresh's tokens are not left in the keyring.
func TestDisconnectWaitsForARefreshInFlight(t *testing.T) {
	v, _ := testVault(t)
	connect(t, v, 1, "a1", "r1")
	ctx := context.Background()
	b := newBlockingRefresh(Tokens{AccessToken: "a2", RefreshToken: "r2", Expiry: expiry})
	refreshed := make(chan error, 1)
	go func() { _, err := v.Refresh(ctx, 1, b.fn); refreshed <- err }()
	if _, ok := within(b.entered, 10*time.Second); !ok {
		t.Fatal("the refresh never started")
	}
	disconnected := make(chan error, 1)
	go func() { disconnected <- v.Disconnect(ctx, 1) }()
	if err, ok := within(disconnected, 300*time.Millisecond); ok {
		close(b.release)
		<-refreshed
		t.Fatalf("Disconnect (%v) did not wait for the refresh in flight", err)
	}
	close(b.release)
	if err := <-refreshed; err != nil {
		t.Fatalf("the refresh: %v", err)
	}
	if err := <-disconnected; err != nil {
		t.Fatalf("Disconnect: %v", err)
	}
	if _, err := v.Secrets.LoadTokens(ctx, 1); !problem.Is(err, problem.KindNotFound) {
		t.Fatalf("after disconnect the keyring still holds the company's tokens (%v)", err)
	}
	if st, _ := v.Store.Load(ctx); st.Company(1) != nil {
		t.Fatal("the company is still in the state")
	}
}

// TestForgetWaitsForARefreshInFlight: Forget during a refresh waits for it, so the refresh
// cannot write tokens back into the emptied keyring.
func TestForgetWaitsForARefreshInFlight(t *testing.T) {
	v, _ := testVault(t)
	connect(t, v, 1, "a1", "r1")
	connect(t, v, 2, "b1", "s1")
	ctx := context.Background()
	b := newBlockingRefresh(Tokens{AccessToken: "b2", RefreshToken: "s2", Expiry: expiry})
	refreshed := make(chan error, 1)
	go func() { _, err := v.Refresh(ctx, 2, b.fn); refreshed <- err }()
	if _, ok := within(b.entered, 10*time.Second); !ok {
		t.Fatal("the refresh never started")
	}
	forgot := make(chan error, 1)
	go func() { forgot <- v.Forget(ctx) }()
	if err, ok := within(forgot, 300*time.Millisecond); ok {
		close(b.release)
		<-refreshed
		t.Fatalf("Forget (%v) did not wait for the refresh in flight", err)
	}
	close(b.release)
	if err := <-refreshed; err != nil {
		t.Fatalf("the refresh: %v", err)
	}
	if err := <-forgot; err != nil {
		t.Fatalf("Forget: %v", err)
	}
	for _, id := range []int64{1, 2} {
		if _, err := v.Secrets.LoadTokens(ctx, id); !problem.Is(err, problem.KindNotFound) {
			t.Fatalf("after Forget the keyring still holds company %d's tokens (%v)", id, err)
		}
	}
}

// TestHandOffDuringARefreshWaitsAndStopsTheNext: an export's snapshot and hand-off mark taken
// during a refresh of the same company waits for the refresh, so the file gets the new
// refresh token; a refresh after the mark is refused without calling refresh.
func TestHandOffDuringARefreshWaitsAndStopsTheNext(t *testing.T) {
	v, _ := testVault(t)
	connect(t, v, 1, "a1", "r1")
	ctx := context.Background()
	b := newBlockingRefresh(Tokens{AccessToken: "a2", RefreshToken: "r2", Expiry: expiry})
	refreshed := make(chan error, 1)
	go func() { _, err := v.Refresh(ctx, 1, b.fn); refreshed <- err }()
	if _, ok := within(b.entered, 10*time.Second); !ok {
		t.Fatal("the refresh never started")
	}
	type result struct {
		snap Snapshot
		err  error
	}
	exported := make(chan result, 1)
	go func() {
		snap, _, err := v.SnapshotHandOff(ctx, []int64{1}, false, func(*State) (HandOff, bool) {
			return HandOff{To: "/tmp/handoff.json", At: time.Now()}, true
		})
		exported <- result{snap, err}
	}()
	if r, ok := within(exported, 300*time.Millisecond); ok {
		close(b.release)
		<-refreshed
		t.Fatalf("the hand-off (%v) did not wait for the refresh in flight", r.err)
	}
	close(b.release)
	if err := <-refreshed; err != nil {
		t.Fatalf("the refresh: %v", err)
	}
	r := <-exported
	if r.err != nil || len(r.snap.Tokens) != 1 || r.snap.Tokens[0].RefreshToken != "r2" {
		t.Fatalf("the export got %v (%v); want the refreshed token r2", r.snap, r.err)
	}
	called := false
	_, err := v.Refresh(ctx, 1, func(_ context.Context, cur Tokens) (Tokens, error) { called = true; return cur, nil })
	var h *HandedOffError
	if !errors.As(err, &h) || called {
		t.Fatalf("a refresh after the hand-off: %v, refresh called %t", err, called)
	}
}

// TestCompanyLockExcludesAnotherProcess: a child process holds company 1's lock. Here company
// 2 refreshes all the same and the state is free, while company 1's refresh (and Tokens) wait
// and, after the lock timeout, say another window is busy. Once the child lets go, company 1
// refreshes. The lock files stay.
func TestCompanyLockExcludesAnotherProcess(t *testing.T) {
	tv := testenv.NewVault(t)
	setup, err := Open(Options{Dir: tv.Dir, Service: tv.Service, Backend: tv.Keyring, LockTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	connect(t, setup, 1, "a1", "r1")
	connect(t, setup, 2, "b1", "s1")

	release := startLockChild(t, companyLockChildEnv+"="+tv.Dir, companyLockIDEnv+"=1")

	v, err := Open(Options{Dir: tv.Dir, Service: tv.Service, Backend: tv.Keyring, LockTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rotate := func(next string) RefreshFunc {
		return func(context.Context, Tokens) (Tokens, error) {
			return Tokens{AccessToken: "x", RefreshToken: next, Expiry: expiry}, nil
		}
	}
	if _, err := v.Refresh(ctx, 2, rotate("s2")); err != nil {
		t.Fatalf("company 2 could not refresh while another process held company 1's lock: %v", err)
	}
	called := false
	_, err = v.Refresh(ctx, 1, func(context.Context, Tokens) (Tokens, error) { called = true; return Tokens{}, nil })
	wantKind(t, err, problem.KindBusy)
	if called {
		t.Fatal("company 1 was refreshed while another process held its lock")
	}
	_, err = v.Tokens(ctx, 1)
	wantKind(t, err, problem.KindBusy)

	if err := release(); err != nil {
		t.Fatalf("child: %v", err)
	}
	if _, err := v.Refresh(ctx, 1, rotate("r2")); err != nil {
		t.Fatalf("after the child let go: %v", err)
	}
	for _, name := range []string{LockFileName, CompanyLockFileName(1), CompanyLockFileName(2)} {
		if _, err := os.Stat(filepath.Join(tv.Dir, name)); err != nil {
			t.Fatalf("lock file %s: %v", name, err)
		}
	}
}

// TestLockingEveryCompanyOnACorruptState: with no last-good copy to rebuild it from, Snapshot
// of every company still reports a corrupt state (it does not quietly export nothing), and
// Forget still works on one.
func TestLockingEveryCompanyOnACorruptState(t *testing.T) {
	v, _ := testVault(t)
	connect(t, v, 1, "a1", "r1")
	ctx := context.Background()
	if err := os.Remove(filepath.Join(v.Store.Dir(), LastGoodFileName)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(v.Store.Path(), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := v.Snapshot(ctx, nil, false)
	wantKind(t, err, problem.KindStateCorrupt)
	if err := os.WriteFile(v.Store.Path(), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := v.Forget(ctx); err != nil {
		t.Fatalf("Forget on a corrupt state: %v", err)
	}
	if _, err := v.Secrets.LoadTokens(ctx, 1); !problem.Is(err, problem.KindNotFound) {
		t.Fatalf("after Forget the keyring still holds company 1's tokens (%v)", err)
	}
}
