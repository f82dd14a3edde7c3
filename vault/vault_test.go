package vault

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

var expiry = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// connect records an integration and a company the way the connect flow will.
func connect(t *testing.T, v *Vault, id int64, access, refresh string) {
	t.Helper()
	ctx := context.Background()
	err := v.Store.Update(ctx, func(st *State) error {
		st.Integration = Integration{ClientID: "cid", TokenURL: "http://127.0.0.1:9/token", APIBaseURL: "http://127.0.0.1:9/api"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Secrets.SetClientSecret(ctx, "cid", "the-client-secret"); err != nil {
		t.Fatal(err)
	}
	if err := v.SaveCompany(ctx, sampleCompany(id), Tokens{AccessToken: access, RefreshToken: refresh, Expiry: expiry}); err != nil {
		t.Fatal(err)
	}
}

func TestSaveCompanyAndTokens(t *testing.T) {
	v, _ := testVault(t)
	ctx := context.Background()
	connect(t, v, 1, "a1", "r1")
	got, err := v.Tokens(ctx, 1)
	if err != nil || got.AccessToken != "a1" || got.RefreshToken != "r1" || !got.Expiry.Equal(expiry) {
		t.Fatalf("Tokens = %v, %v", got, err)
	}
	_, err = v.Tokens(ctx, 2)
	wantKind(t, err, problem.KindNotFound)
}

func TestRefreshIsRotationSafe(t *testing.T) {
	v, fb := testVault(t)
	ctx := context.Background()
	connect(t, v, 1, "a1", "r1")
	newExpiry := expiry.Add(time.Hour)

	got, err := v.Refresh(ctx, 1, func(_ context.Context, cur Tokens) (Tokens, error) {
		if cur.RefreshToken != "r1" || !cur.Expiry.Equal(expiry) {
			t.Errorf("refresh got %v, want the stored tokens", cur)
		}
		return Tokens{AccessToken: "a2", RefreshToken: "r2", Expiry: newExpiry}, nil
	})
	if err != nil || got.RefreshToken != "r2" {
		t.Fatalf("Refresh = %v, %v", got, err)
	}
	stored, _ := v.Tokens(ctx, 1)
	st, _ := v.Store.Load(ctx)
	if stored.RefreshToken != "r2" || stored.AccessToken != "a2" || !stored.Expiry.Equal(newExpiry) || st.Company(1).LastRefresh.IsZero() {
		t.Fatalf("after refresh: %v, last refresh %v", stored, st.Company(1).LastRefresh)
	}

	// No rotation: the old refresh token stays.
	if _, err := v.Refresh(ctx, 1, func(context.Context, Tokens) (Tokens, error) {
		return Tokens{AccessToken: "a3", Expiry: newExpiry}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if stored, _ := v.Tokens(ctx, 1); stored.RefreshToken != "r2" || stored.AccessToken != "a3" {
		t.Fatalf("without rotation: %v", stored)
	}

	// A failed refresh changes nothing.
	rejected := problem.New(problem.KindInvalidGrant, "Lightspeed no longer accepts this connection.", nil)
	_, err = v.Refresh(ctx, 1, func(context.Context, Tokens) (Tokens, error) { return Tokens{}, rejected })
	wantKind(t, err, problem.KindInvalidGrant)

	// A save that fails after the refresh returns the new tokens so they are not lost.
	fb.Inject(testenv.OpSet, testenv.FaultErr)
	got, err = v.Refresh(ctx, 1, func(context.Context, Tokens) (Tokens, error) {
		return Tokens{AccessToken: "a4", RefreshToken: "r4"}, nil
	})
	wantKind(t, err, problem.KindKeyringUnavailable)
	if got.RefreshToken != "r4" {
		t.Fatal("the new tokens must come back with the save error")
	}
}

func TestDisconnectRemovesKeyringItemsThenTheRecord(t *testing.T) {
	v, fb := testVault(t)
	ctx := context.Background()
	connect(t, v, 1, "a1", "r1")
	connect(t, v, 2, "a2", "r2")

	// The keyring refuses: the record stays, so the person can try again.
	fb.Inject(testenv.OpDelete, testenv.FaultErr)
	wantKind(t, v.Disconnect(ctx, 1), problem.KindKeyringUnavailable)
	if st, _ := v.Store.Load(ctx); st.Company(1) == nil {
		t.Fatal("the record went although its keyring items stayed")
	}
	fb.Clear()

	if err := v.Disconnect(ctx, 1); err != nil {
		t.Fatal(err)
	}
	st, _ := v.Store.Load(ctx)
	if st.Company(1) != nil || st.Company(2) == nil {
		t.Fatalf("companies after disconnect: %+v", st.Companies)
	}
	_, err := v.Secrets.LoadTokens(ctx, 1)
	wantKind(t, err, problem.KindNotFound)
	if tok, err := v.Tokens(ctx, 2); err != nil || tok.RefreshToken != "r2" {
		t.Fatalf("the other company was touched: %v", err)
	}
	wantKind(t, v.Disconnect(ctx, 1), problem.KindNotFound)
}

func TestForgetRemovesEverything(t *testing.T) {
	v, fb := testVault(t)
	ctx := context.Background()
	connect(t, v, 1, "a1", "r1")
	aside := v.Store.Path() + ".corrupt-20250101T000000Z"
	if err := os.WriteFile(aside, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}

	fb.Inject(testenv.OpDeleteAll, testenv.FaultErr)
	wantKind(t, v.Forget(ctx), problem.KindKeyringUnavailable)
	if _, err := os.Stat(v.Store.Path()); err != nil {
		t.Fatal("the state went although the keyring items stayed")
	}
	fb.Clear()

	if err := v.Forget(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(v.Store.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("state file still there: %v", err)
	}
	if _, err := os.Stat(aside); err != nil {
		t.Fatal("a set-aside file was deleted")
	}
	_, err := v.Secrets.LoadTokens(ctx, 1)
	wantKind(t, err, problem.KindNotFound)
	_, err = v.Secrets.ClientSecret(ctx, "cid")
	wantKind(t, err, problem.KindNotFound)
	if err := v.Forget(ctx); err != nil {
		t.Fatalf("forgetting twice: %v", err)
	}
}
