package vault

import (
	"context"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestTimedOutWriteNeverLandsOverANewerOne: a keyring write that times out (the keyring
// answers only later) is followed at once by a newer write of the same item. The late write
// lands, then the newer one: the keyring ends with the newer value.
func TestTimedOutWriteNeverLandsOverANewerOne(t *testing.T) {
	fb := testenv.NewKeyring(t)
	service := testenv.KeyringService(t)
	s := newSecrets(secretsOptions{Service: service, Timeout: 300 * time.Millisecond, Backend: fb})
	ctx := context.Background()

	held := fb.HoldNext(t, testenv.OpSet)
	err := s.set(ctx, refreshItem(1), "old-refresh-token")
	wantKind(t, err, problem.KindKeyringUnavailable) // timed out; the write is still on its way

	slow := newSecrets(secretsOptions{Service: service, Timeout: 20 * time.Second, Backend: fb})
	slow.turns, slow.all = s.turns, s.all // the same Secrets, with a longer timeout for the newer write
	newer := make(chan error, 1)
	go func() { newer <- slow.set(ctx, refreshItem(1), "new-refresh-token") }()
	select {
	case err := <-newer:
		// Without serialisation the newer write lands now, before the old one.
		held.Release()
		<-held.Landed
		if err == nil {
			got, _ := s.get(ctx, refreshItem(1))
			t.Fatalf("the newer write did not wait for the late one; the keyring now holds %q", got)
		}
		t.Fatal(err)
	case <-time.After(200 * time.Millisecond):
	}
	held.Release()
	if err := <-newer; err != nil {
		t.Fatal(err)
	}
	<-held.Landed
	if got, err := slow.get(ctx, refreshItem(1)); err != nil || got != "new-refresh-token" {
		t.Fatalf("the keyring holds %q (%v); want the newer value", got, err)
	}
}

// TestLateWriteHoldsTheCompanyLock: a refresh whose refresh-token write times out, in one
// vault, is followed by a refresh of the same company in another vault on the same state (as
// another window or command would): the second takes the company's lock only once the late
// write has landed, so it reads that token and its own newer one is what stays.
func TestLateWriteHoldsTheCompanyLock(t *testing.T) {
	tv := testenv.NewVault(t)
	open := func(timeout time.Duration) *Vault {
		v, err := Open(Options{Dir: tv.Dir, Service: tv.Service, Backend: tv.Keyring, KeyringTimeout: timeout, LockTimeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first, second := open(300*time.Millisecond), open(20*time.Second)
	connect(t, second, 1, "a1", "r1")
	ctx := context.Background()
	if _, _, err := second.journalKey(ctx); err != nil { // made now, so the Set held below is the token's
		t.Fatal(err)
	}

	held := tv.Keyring.HoldNext(t, testenv.OpSet)
	next, err := first.Refresh(ctx, 1, func(context.Context, Tokens) (Tokens, error) {
		return Tokens{AccessToken: "a2", RefreshToken: "r2", Expiry: expiry}, nil
	})
	if err == nil || next.RefreshToken != "r2" {
		t.Fatalf("Refresh with a write that times out = %v, %v; want the new tokens and an error", next, err)
	}
	go func() { time.Sleep(200 * time.Millisecond); held.Release() }()
	var read string
	if _, err := second.Refresh(ctx, 1, func(_ context.Context, cur Tokens) (Tokens, error) {
		read = cur.RefreshToken
		return Tokens{AccessToken: "a3", RefreshToken: "r3", Expiry: expiry}, nil
	}); err != nil {
		t.Fatal(err)
	}
	<-held.Landed
	got, err := second.Tokens(ctx, 1)
	if err != nil || got.RefreshToken != "r3" {
		t.Fatalf("after both refreshes the keyring holds %v (%v); want r3 (the second refresh read %q)", got, err, read)
	}
	if read != "r2" {
		t.Fatalf("the second refresh read %q; want r2, the late write that landed before it", read)
	}
}

// TestRefreshStoresAfterTheCallerGaveUp: the caller's context ends while the refresh is on
// its way; the new tokens are stored all the same.
func TestRefreshStoresAfterTheCallerGaveUp(t *testing.T) {
	v, _ := testVault(t)
	connect(t, v, 1, "a1", "r1")
	ctx, cancel := context.WithCancel(context.Background())
	next, err := v.Refresh(ctx, 1, func(context.Context, Tokens) (Tokens, error) {
		cancel() // the caller gives up while the reply is on its way
		return Tokens{AccessToken: "a2", RefreshToken: "r2", Expiry: expiry}, nil
	})
	if err != nil || next.RefreshToken != "r2" {
		t.Fatalf("Refresh = %v, %v", next, err)
	}
	got, err := v.Tokens(context.Background(), 1)
	if err != nil || got.RefreshToken != "r2" || got.AccessToken != "a2" {
		t.Fatalf("stored %v, %v; want the new tokens", got, err)
	}
}
