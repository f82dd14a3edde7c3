package connections

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
)

// strict is the practice server rotating refresh tokens as RFC 9700 has it: the old one is
// refused once its successor is issued, and using it again revokes the whole grant.
var strict = PracticeConfig{RotateRefresh: true, StrictRotation: true}

// storedRefreshWorks asks the token endpoint directly, not through the app's refresh code,
// whether the stored refresh token still works. Under strict rotation this spends it: call it
// last.
func (f *fixture) storedRefreshWorks(t *testing.T, id int64) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stored, err := f.vault.Tokens(ctx, id)
	if err != nil {
		return err
	}
	ps := f.practice.Settings
	return testenv.RefreshWorks(ctx, ps.TokenURL, ps.ClientID, ps.ClientSecret, stored.RefreshToken)
}

// TestCancelledRefreshKeepsTheNewToken cancels a refresh once its request has reached the
// server (which answers slowly): the refresh finishes all the same, stores the rotated
// token, and says so with KindCanceled.
func TestCancelledRefreshKeepsTheNewToken(t *testing.T) {
	f := newFixture(t, strict)
	connected, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := connected.Company.ID
	before, _ := f.vault.Tokens(context.Background(), id)
	f.practice.Server.SetLatency(300 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	seen := f.practice.Server.Stats().TokenRequests
	go func() {
		waitForTokenRequest(t, f.practice.Server, seen)
		if f.core.Refreshing() != 1 {
			t.Errorf("Refreshing() = %d during the refresh, want 1", f.core.Refreshing())
		}
		cancel()
	}()
	err = f.core.Refresh(ctx, id)
	if !problem.Is(err, problem.KindCanceled) || !strings.Contains(problem.Summary(err), "stored") {
		t.Fatalf("Refresh cancelled mid-request = %v; want KindCanceled saying the new token was stored", err)
	}
	if f.core.Refreshing() != 0 {
		t.Fatalf("Refreshing() = %d after the refresh", f.core.Refreshing())
	}
	after, _ := f.vault.Tokens(context.Background(), id)
	if after.RefreshToken == before.RefreshToken {
		t.Fatal("the rotated refresh token was not stored")
	}
	f.practice.Server.SetLatency(0)
	if err := f.storedRefreshWorks(t, id); err != nil {
		t.Fatalf("after a cancelled refresh the stored refresh token is lost: %v", err)
	}
}

// TestDrainWaitsForASentRefresh: Drain returns only once a refresh already sent is stored.
func TestDrainWaitsForASentRefresh(t *testing.T) {
	f := newFixture(t, strict)
	connected, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := connected.Company.ID
	before, _ := f.vault.Tokens(context.Background(), id)
	f.practice.Server.SetLatency(300 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	seen := f.practice.Server.Stats().TokenRequests
	go func() { done <- f.core.Refresh(ctx, id) }()
	waitForTokenRequest(t, f.practice.Server, seen)
	cancel() // as a face does on its way out
	drain, stop := context.WithTimeout(context.Background(), DrainTimeout)
	defer stop()
	if !f.core.Drain(drain) {
		t.Fatal("Drain gave up")
	}
	if after, _ := f.vault.Tokens(context.Background(), id); after.RefreshToken == before.RefreshToken {
		t.Fatal("Drain returned before the rotated refresh token was stored")
	}
	<-done
	f.practice.Server.SetLatency(0)
	if err := f.storedRefreshWorks(t, id); err != nil {
		t.Fatalf("the stored refresh token is lost: %v", err)
	}
}

// TestKeyringFailingDuringRefreshKeepsTokensRecoverable: under strict rotation the keyring
// refuses the refreshed tokens. They come back as an UnsavedError; the next refresh uses
// them (not the stored, revoked token, which would revoke the whole grant); the export holds
// a working refresh token; once the keyring works, Retry stores it.
func TestKeyringFailingDuringRefreshKeepsTokensRecoverable(t *testing.T) {
	f := newFixtureWith(t, strict, Options{KeyringTimeout: 2 * time.Second})
	connected, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := connected.Company.ID
	ctx := context.Background()
	f.keyring.RefuseWrites(true)
	err = f.core.Refresh(ctx, id)
	unsaved := AsUnsaved(err)
	if unsaved == nil || !unsaved.Refreshed() || !problem.Is(err, problem.KindNotStored) {
		t.Fatalf("Refresh with the keyring refusing = %v; want an UnsavedError of a refresh", err)
	}
	if strings.Contains(strings.ToLower(unsaved.Error()), "nothing has been lost") || !strings.Contains(unsaved.Error(), "Harbour Burgers") {
		t.Fatalf("sentence %q", unsaved.Error())
	}
	// A second refresh, as the auto-refresh would do, while the keyring still refuses.
	err = f.core.Refresh(ctx, id)
	if AsUnsaved(err) == nil {
		t.Fatalf("second refresh = %v; want another UnsavedError", err)
	}
	if n := f.practice.Server.Stats().ReuseDetected; n != 0 {
		t.Fatalf("a revoked refresh token was sent again (%d reuse detected): the grant is gone", n)
	}
	path := filepath.Join(t.TempDir(), "rescue.json")
	if err := unsaved.Export(path, FormatJSON, false); err != nil {
		t.Fatal(err)
	}
	exported := testenv.ExportedRefreshToken(t, path)
	f.keyring.RefuseWrites(false)
	if _, err := unsaved.Retry(ctx); err != nil {
		t.Fatalf("retry once the keyring works: %v", err)
	}
	stored, _ := f.vault.Tokens(ctx, id)
	if stored.RefreshToken != exported {
		t.Fatal("the stored refresh token is not the exported one")
	}
	if _, held := f.core.unstoredTokens(id); held {
		t.Fatal("the tokens are still held in memory after they were stored")
	}
	if err := f.storedRefreshWorks(t, id); err != nil {
		t.Fatalf("the recovered refresh token does not work: %v", err)
	}
}

// TestLookUpFailingAfterExchangeKeepsTokensRecoverable: the exchange works but the company
// look-up fails; the tokens come back as an UnsavedError whose export and retry work.
func TestLookUpFailingAfterExchangeKeepsTokensRecoverable(t *testing.T) {
	f := newFixture(t, strict)
	f.practice.Server.FailNextAPI(50, practice.FaultServerError)
	_, err := f.connect(t, 0, ConnectOptions{})
	unsaved := AsUnsaved(err)
	if unsaved == nil || unsaved.Refreshed() || unsaved.Company().ID != 0 {
		t.Fatalf("connect with the look-up failing = %v; want an UnsavedError without a company", err)
	}
	if strings.Contains(strings.ToLower(unsaved.Error()), "nothing has been lost") {
		t.Fatalf("sentence %q", unsaved.Error())
	}
	for f.practice.Server.Stats().APIRequests < 50 { // use up the queued faults
		_ = testenv.Get(context.Background(), f.practice.Settings.APIURL+"/companies/me.json")
	}
	path := filepath.Join(t.TempDir(), "rescue.json")
	if err := unsaved.Export(path, FormatJSON, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(readFile(t, path), "Harbour Burgers") {
		t.Fatal("the export did not look the company up again")
	}
	got, err := unsaved.Retry(context.Background())
	if err != nil || got.Company.Name != "Harbour Burgers Pty Ltd" {
		t.Fatalf("retry: %+v, %v", got, err)
	}
	if err := f.storedRefreshWorks(t, got.Company.ID); err != nil {
		t.Fatalf("the stored refresh token does not work: %v", err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestUnsavedSentencesNeverSayNothingWasLost: the cause quoted in an unsaved sentence loses
// its reassurance, because tokens held only in memory can be lost.
func TestUnsavedSentencesNeverSayNothingWasLost(t *testing.T) {
	cases := map[string]string{
		"Lightspeed is having trouble right now. Try again in a few minutes; nothing has been lost.": "Lightspeed is having trouble right now. Try again in a few minutes.",
		"The refresh was cancelled before it finished. Nothing has been lost; try again.":            "The refresh was cancelled before it finished. Try again.",
		"Couldn't reach Lightspeed. Nothing was lost.":                                               "Couldn't reach Lightspeed.",
		"The keychain is locked. Unlock it, then try again.":                                         "The keychain is locked. Unlock it, then try again.",
	}
	for in, want := range cases {
		if got := lossless(problem.New(problem.KindNetwork, in, nil)); got != want {
			t.Errorf("lossless(%q) = %q, want %q", in, got, want)
		}
	}
}
