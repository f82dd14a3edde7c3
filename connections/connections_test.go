package connections

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// fixture is a core over the test kit's vault (the real keyring under its own service name,
// failures injectable through keyring, and a temporary state directory), with a practice
// server whose settings are saved.
type fixture struct {
	core     *Core
	vault    *vault.Vault
	keyring  *testenv.Keyring
	practice *Practice
}

func newFixture(t testing.TB, cfg PracticeConfig) *fixture {
	t.Helper()
	return newFixtureWith(t, cfg, Options{})
}

// newFixtureWith is newFixture with options (a keyring timeout); the directory, the service
// name and the keyring are always the test kit's.
func newFixtureWith(t testing.TB, cfg PracticeConfig, opts Options) *fixture {
	t.Helper()
	tv := testenv.NewVault(t)
	opts.Dir, opts.Service, opts.Keyring = tv.Dir, tv.Service, tv.Keyring
	core, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := StartPractice(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	if err := core.SaveSettings(context.Background(), p.Settings); err != nil {
		t.Fatal(err)
	}
	return &fixture{core: core, vault: core.vault, keyring: tv.Keyring, practice: p}
}

// connect runs a whole connect for the company at companyIndex.
func (f *fixture) connect(t testing.TB, companyIndex int, opts ConnectOptions) (*Connected, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := f.core.StartConnect(ctx, opts)
	if err != nil {
		return nil, err
	}
	errs := make(chan error, 1)
	go func() { errs <- testenv.Browser(ctx, a.AuthURL(), companyIndex, true, nil) }()
	got, err := a.Wait(ctx)
	if berr := <-errs; berr != nil {
		t.Fatalf("browser: %v", berr)
	}
	return got, err
}

func TestConnectStoresCompanySitesAndTokens(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	got, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Company.Name != "Harbour Burgers Pty Ltd" || len(got.Company.Sites) != 3 || got.Replaced {
		t.Fatalf("connected %+v", got)
	}
	tokens, err := f.vault.Tokens(context.Background(), got.Company.ID)
	if err != nil || tokens.AccessToken == "" || tokens.RefreshToken == "" || tokens.Expiry.IsZero() {
		t.Fatalf("stored tokens: err %v, access %t refresh %t expiry %v", err, tokens.AccessToken != "", tokens.RefreshToken != "", tokens.Expiry)
	}
	statuses, err := f.core.Statuses(context.Background())
	if err != nil || len(statuses) != 1 || statuses[0].Status != StatusUnknown {
		t.Fatalf("statuses %+v, %v", statuses, err)
	}
	again, err := f.connect(t, 0, ConnectOptions{Reconnect: got.Company.ID})
	if err != nil || !again.Replaced {
		t.Fatalf("reconnect: %+v, %v", again, err)
	}
}

func TestReconnectForAnotherCompanyIsReported(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	first, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.connect(t, 1, ConnectOptions{Reconnect: first.Company.ID})
	if !problem.Is(err, problem.KindWrongCompany) {
		t.Fatalf("err = %v, want wrong_company", err)
	}
	if !strings.Contains(problem.Summary(err), "Bondi Bean Co.") || other == nil {
		t.Fatalf("summary %q, connected %+v", problem.Summary(err), other)
	}
	statuses, _ := f.core.Statuses(context.Background())
	if len(statuses) != 2 {
		t.Fatalf("want both companies kept, got %d", len(statuses))
	}
}

func TestCheckStatuses(t *testing.T) {
	f := newFixture(t, PracticeConfig{Companies: 3})
	ids := make([]int64, 0, 3)
	for i := range 3 {
		c, err := f.connect(t, i, ConnectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.Company.ID)
	}
	ctx := context.Background()
	statuses, err := f.core.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range statuses {
		if s.Status != StatusHealthy || s.LastCheckAt == nil {
			t.Fatalf("%s: %s (%s)", s.Name, s.Status, s.Detail)
		}
	}

	// A revoked refresh token, with an expired access token, needs a reconnect; the others
	// are unaffected.
	f.practice.Server.RevokeRefreshTokens(ids[1])
	f.practice.Server.ExpireAccessTokens()
	statuses, err = f.core.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Status{StatusHealthy, StatusNeedsReconnect, StatusHealthy}
	for i, s := range statuses {
		if s.Status != want[i] {
			t.Errorf("%s: %s (%s), want %s", s.Name, s.Status, s.Detail, want[i])
		}
	}
	if !strings.Contains(statuses[1].Detail, "Reconnect") {
		t.Errorf("needs-reconnect detail %q does not say what to do", statuses[1].Detail)
	}

	// A server that is down: unreachable, nothing lost.
	_ = f.practice.Server.Close()
	statuses, err = f.core.Check(ctx, ids[0])
	if err != nil || statuses[0].Status != StatusUnreachable {
		t.Fatalf("down server: %+v, %v", statuses, err)
	}
	if _, err := f.vault.Tokens(ctx, ids[0]); err != nil {
		t.Fatalf("tokens lost after an unreachable check: %v", err)
	}
}
