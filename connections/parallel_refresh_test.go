package connections

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// Environment of the child process that refreshes one company once (see refreshOnceAsChild).
const (
	refreshOnceChildEnv = "LSC_REFRESH_ONCE_CHILD"
	refreshOnceGoEnv    = "LSC_REFRESH_ONCE_GO" // the file whose appearance says "go"
)

// refreshOnceAsChild is a second process that refreshes one company once, as a second window
// or command would, starting the moment the go file appears; its exit code says how it went.
func refreshOnceAsChild() int {
	core, err := Open(Options{Dir: os.Getenv(crashDirEnv), Service: os.Getenv(crashServiceEnv)})
	if err != nil {
		return 3
	}
	id, _ := strconv.ParseInt(os.Getenv(crashCompanyEnv), 10, 64)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		if _, err := os.Stat(os.Getenv(refreshOnceGoEnv)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return 4
		}
	}
	if err := core.Refresh(context.Background(), id); err != nil {
		os.Stdout.WriteString(problem.Summary(err) + "\n")
		return 1
	}
	return 0
}

// inFlight counts the token requests on their way at once through a core's HTTP client, and
// the most there ever were.
type inFlight struct {
	now, most atomic.Int64
}

func (c *inFlight) transport(base http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		if !strings.HasSuffix(req.URL.Path, "/token.json") {
			return base.RoundTrip(req)
		}
		n := c.now.Add(1)
		for m := c.most.Load(); n > m && !c.most.CompareAndSwap(m, n); m = c.most.Load() {
		}
		defer c.now.Add(-1)
		return base.RoundTrip(req)
	})
}

// TestRefreshesOfDifferentCompaniesOverlap refreshes four companies at once against a token
// endpoint that answers after 400 ms, under strict rotation: their requests are on their way
// at the same time (counted at the HTTP client, one request per company), and every stored
// refresh token works afterwards. With one lock around every refresh they go one by one.
func TestRefreshesOfDifferentCompaniesOverlap(t *testing.T) {
	cfg := strict
	cfg.Companies = 4
	f := newFixture(t, cfg)
	ids := f.grantAll(t)
	counter := &inFlight{}
	f.core.http = &http.Client{Transport: counter.transport(pooledTransport(4)), Timeout: time.Minute}
	f.practice.Server.SetLatency(400 * time.Millisecond)
	before := f.practice.Server.Stats().TokenRequests
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if err := f.core.Refresh(context.Background(), id); err != nil {
				t.Errorf("company %d: %v", id, err)
			}
		})
	}
	wg.Wait()
	if got := f.practice.Server.Stats().TokenRequests - before; got != int64(len(ids)) {
		t.Fatalf("%d token requests for %d refreshes", got, len(ids))
	}
	if most := counter.most.Load(); most < 2 {
		t.Fatalf("at most %d token request was on its way at once: refreshes of different companies did not overlap", most)
	}
	t.Logf("%d refreshes of different companies: at most %d token requests at once", len(ids), counter.most.Load())
	f.practice.Server.SetLatency(0)
	for _, id := range ids {
		if err := f.storedRefreshWorks(t, id); err != nil {
			t.Fatalf("company %d: the stored refresh token does not work: %v", id, err)
		}
	}
}

// TestOneCompanyRefreshedFromTwoGoroutines: two goroutines refresh the same company at once
// under strict rotation. They take turns (never two requests at once), both succeed, the
// server never sees a rotated-out token again, and the stored refresh token works.
func TestOneCompanyRefreshedFromTwoGoroutines(t *testing.T) {
	f := newFixture(t, strict)
	id := f.connectOne(t)
	counter := &inFlight{}
	f.core.http = &http.Client{Transport: counter.transport(pooledTransport(2)), Timeout: time.Minute}
	f.practice.Server.SetLatency(200 * time.Millisecond)
	before := f.practice.Server.Stats()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := f.core.Refresh(context.Background(), id); err != nil {
				t.Errorf("refresh: %v", err)
			}
		})
	}
	wg.Wait()
	after := f.practice.Server.Stats()
	if counter.most.Load() != 1 || after.TokenRequests-before.TokenRequests != 2 || after.ReuseDetected != before.ReuseDetected {
		t.Fatalf("two refreshes of one company: at most %d requests at once, %d requests, %d reuses detected; want 1, 2, 0",
			counter.most.Load(), after.TokenRequests-before.TokenRequests, after.ReuseDetected-before.ReuseDetected)
	}
	f.practice.Server.SetLatency(0)
	if err := f.storedRefreshWorks(t, id); err != nil {
		t.Fatalf("the stored refresh token does not work: %v", err)
	}
}

// TestOneCompanyRefreshedFromTwoProcesses: this process and a child refresh the same company
// at once under strict rotation, as two windows or a window and a command would. Both
// succeed, the server never sees a rotated-out token again, and the stored refresh token
// works.
func TestOneCompanyRefreshedFromTwoProcesses(t *testing.T) {
	f := newFixture(t, strict)
	id := f.connectOne(t)
	f.practice.Server.SetLatency(200 * time.Millisecond)
	before := f.practice.Server.Stats()
	goFile := filepath.Join(t.TempDir(), "go")
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), refreshOnceChildEnv+"=1", refreshOnceGoEnv+"="+goFile,
		crashDirEnv+"="+f.vault.Store.Dir(), crashServiceEnv+"="+f.vault.Secrets.Service(),
		crashCompanyEnv+"="+strconv.FormatInt(id, 10))
	var out strings.Builder
	child.Stdout = &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := f.core.Refresh(context.Background(), id)
	if werr := child.Wait(); werr != nil {
		t.Fatalf("the child's refresh: %v (%s)", werr, strings.TrimSpace(out.String()))
	}
	if err != nil {
		t.Fatalf("this process's refresh: %v", err)
	}
	after := f.practice.Server.Stats()
	if after.TokenRequests-before.TokenRequests != 2 || after.ReuseDetected != before.ReuseDetected {
		t.Fatalf("%d token requests, %d reuses detected; want 2, 0", after.TokenRequests-before.TokenRequests, after.ReuseDetected-before.ReuseDetected)
	}
	f.practice.Server.SetLatency(0)
	if err := f.storedRefreshWorks(t, id); err != nil {
		t.Fatalf("the stored refresh token does not work: %v", err)
	}
}

// TestDisconnectDuringARefresh: a disconnect of a company whose refresh is on its way waits
// for it; then the company is gone, keyring items included, and the refresh succeeded.
func TestDisconnectDuringARefresh(t *testing.T) {
	f := newFixture(t, strict)
	id := f.connectOne(t)
	srv := f.practice.Server
	srv.SetLatency(400 * time.Millisecond)
	refreshed := make(chan error, 1)
	seen := srv.Stats().TokenRequests
	go func() { refreshed <- f.core.Refresh(context.Background(), id) }()
	waitForTokenRequest(t, srv, seen)
	if err := f.core.Disconnect(context.Background(), id); err != nil {
		t.Fatalf("Disconnect during a refresh: %v", err)
	}
	select {
	case err := <-refreshed:
		if err != nil {
			t.Fatalf("the refresh: %v", err)
		}
	default:
		t.Fatal("Disconnect returned before the refresh in flight had finished")
	}
	if _, err := f.vault.Secrets.LoadTokens(context.Background(), id); !problem.Is(err, problem.KindNotFound) {
		t.Fatalf("after the disconnect the keyring still holds the company's tokens (%v)", err)
	}
	if st, _ := f.vault.Store.Load(context.Background()); st.Company(id) != nil {
		t.Fatal("the company is still in the state")
	}
}

// TestExportHandOffDuringARefresh: an export that hands a company off, started while its
// refresh is on its way under strict rotation, waits for the refresh: the file holds the new
// refresh token, which works, and the app never refreshes the company again.
func TestExportHandOffDuringARefresh(t *testing.T) {
	f := newFixture(t, strict)
	id := f.connectOne(t)
	srv := f.practice.Server
	srv.SetLatency(400 * time.Millisecond)
	refreshed := make(chan error, 1)
	seen := srv.Stats().TokenRequests
	go func() { refreshed <- f.core.Refresh(context.Background(), id) }()
	waitForTokenRequest(t, srv, seen)
	path := filepath.Join(t.TempDir(), "export.json")
	if _, err := f.core.Export(context.Background(), ExportRequest{Path: path, CompanyIDs: []int64{id}}); err != nil {
		t.Fatalf("export during a refresh: %v", err)
	}
	select {
	case err := <-refreshed:
		if err != nil {
			t.Fatalf("the refresh: %v", err)
		}
	default:
		t.Fatal("the export returned before the refresh in flight had finished")
	}
	var doc struct {
		Companies []struct {
			RefreshToken string `json:"refresh_token"`
		} `json:"companies"`
	}
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &doc) != nil || len(doc.Companies) != 1 {
		t.Fatalf("export file: %v", err)
	}
	srv.SetLatency(0)
	sent := srv.Stats().TokenRequests
	if err := f.core.Refresh(context.Background(), id); !problem.Is(err, problem.KindHandedOff) {
		t.Fatalf("a refresh after the hand-off: %v; want KindHandedOff", err)
	}
	if srv.Stats().TokenRequests != sent {
		t.Fatal("a handed-off company was refreshed")
	}
	ps := f.practice.Settings
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := testenv.RefreshWorks(ctx, ps.TokenURL, ps.ClientID, ps.ClientSecret, doc.Companies[0].RefreshToken); err != nil {
		t.Fatalf("the exported refresh token does not work: %v", err)
	}
}

// TestRefreshRightAfterARefusedOneUsesItsTokens: under strict rotation a refresh's new tokens
// are refused by the keyring, and a second refresh of the company takes its lock the moment
// the first lets go, before the first has put its tokens aside as unsaved. The second must
// refresh with the first's new refresh token, not the stored one, which the server has
// revoked (sending that again would revoke the whole grant).
func TestRefreshRightAfterARefusedOneUsesItsTokens(t *testing.T) {
	f := newFixtureWith(t, strict, Options{KeyringTimeout: 2 * time.Second})
	id := f.connectOne(t)
	ctx := context.Background()
	var started atomic.Bool
	var second error
	f.core.afterVaultRefresh = func() {
		if started.CompareAndSwap(false, true) { // the first refresh's hook only
			second = f.core.Refresh(ctx, id)
		}
	}
	f.keyring.RefuseWrites(true)
	first := f.core.Refresh(ctx, id)
	if AsUnsaved(first) == nil || AsUnsaved(second) == nil {
		t.Fatalf("refreshes with the keyring refusing = %v, then %v; want an UnsavedError each", first, second)
	}
	if n := f.practice.Server.Stats().ReuseDetected; n != 0 {
		t.Fatalf("the second refresh sent the revoked stored token (%d reuse detected): the grant is gone", n)
	}
	f.keyring.RefuseWrites(false)
	if _, err := AsUnsaved(first).Retry(ctx); err != nil {
		t.Fatalf("retry once the keyring works: %v", err)
	}
	if err := f.storedRefreshWorks(t, id); err != nil {
		t.Fatalf("the stored refresh token does not work: %v", err)
	}
}
