package vault

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// journalVault is testVault whose journal sentences are kept in lastLog for the test to read.
func journalVault(t *testing.T) (*Vault, *testenv.Vault) {
	t.Helper()
	tv := testenv.NewVault(t)
	return reopen(t, tv, nil), tv
}

// lastLog is the log of the vault reopen made last (tests in this file don't run in parallel).
var lastLog *syncBuffer

// reopen opens another vault on tv's directory and keyring, as another window or command (or
// the same one, started again) would: its journal key is not read yet. backend wraps the
// keyring when set.
func reopen(t *testing.T, tv *testenv.Vault, backend Backend) *Vault {
	t.Helper()
	if backend == nil {
		backend = tv.Keyring
	}
	lastLog = &syncBuffer{}
	v, err := Open(Options{Dir: tv.Dir, Service: tv.Service, Backend: backend,
		KeyringTimeout: 20 * time.Second, LockTimeout: 30 * time.Second,
		Logger: slog.New(slog.NewTextHandler(lastLog, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// killedAfterReply refreshes company id to access/refresh while the keyring refuses every
// write, which leaves on disk exactly what a kill between the reply and the keyring write
// leaves: the journal record, and the keyring still holding the old tokens.
func killedAfterReply(t *testing.T, v *Vault, kr *testenv.Keyring, id int64, access, refresh string) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := v.journalKey(ctx); err != nil { // made while the keyring still takes writes
		t.Fatal(err)
	}
	kr.RefuseWrites(true)
	defer kr.RefuseWrites(false)
	got, err := v.Refresh(ctx, id, func(context.Context, Tokens) (Tokens, error) {
		return Tokens{AccessToken: access, RefreshToken: refresh, Expiry: expiry.Add(time.Hour)}, nil
	})
	if !problem.Is(err, problem.KindKeyringUnavailable) || got.RefreshToken != refresh {
		t.Fatalf("Refresh with the keyring refusing = %v, %v", got, err)
	}
	if fi, err := os.Stat(v.journal.path(id)); err != nil || fi.Size() == 0 {
		t.Fatalf("no journal record after the reply: %v", err)
	}
}

// storeDirectly puts tokens in the keyring past the vault, as another process would.
func storeDirectly(t *testing.T, tv *testenv.Vault, id int64, access, refresh string) {
	t.Helper()
	for item, val := range map[string]string{refreshItem(id): refresh, accessItem(id): access} {
		if err := tv.Keyring.Set(tv.Service, item, val); err != nil {
			t.Fatal(err)
		}
	}
}

// wantNoRecord fails the test, saying why, unless company id's journal file is there, empty.
func wantNoRecord(t *testing.T, v *Vault, id int64, why string) {
	t.Helper()
	if fi, err := os.Stat(v.journal.path(id)); err != nil || fi.Size() != 0 {
		t.Fatalf("%s (%v)", why, err)
	}
}

// TestJournalRecoversTheTokensOfAKilledRefresh: a refresh killed after its reply (the record
// on disk, the keyring still holding the old tokens) is completed by the next process that
// takes the company's lock, and the record is emptied. The record holds no token in the clear.
func TestJournalRecoversTheTokensOfAKilledRefresh(t *testing.T) {
	v, tv := journalVault(t)
	ctx := context.Background()
	const access, refresh = "access-after-reply-5c1e9a", "refresh-after-reply-77d04b"
	connect(t, v, 1, "a1", "r1")
	killedAfterReply(t, v, tv.Keyring, 1, access, refresh)

	data, err := os.ReadFile(v.journal.path(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{access, refresh, "r1"} {
		if bytes.Contains(data, []byte(secret)) {
			t.Fatalf("the journal file holds a token in the clear")
		}
	}
	if fi, _ := os.Stat(v.journal.path(1)); fi.Mode().Perm() != 0o600 && runtime.GOOS != "windows" {
		t.Errorf("journal file mode %v, want 0600", fi.Mode().Perm())
	}
	if stored, _ := tv.Keyring.Get(tv.Service, refreshItem(1)); stored != "r1" {
		t.Fatal("the keyring should still hold the old refresh token, as after a kill")
	}

	next := reopen(t, tv, nil) // the next start
	got, err := next.Tokens(ctx, 1)
	if err != nil || got.RefreshToken != refresh || got.AccessToken != access || !got.Expiry.Equal(expiry.Add(time.Hour)) {
		t.Fatalf("after the next start: %v, %v", got, err)
	}
	wantNoRecord(t, next, 1, "the record was not emptied once stored")
	if !strings.Contains(lastLog.String(), "completed from the refresh journal") {
		t.Errorf("the recovery was not said: %q", lastLog.String())
	}
	if strings.Contains(lastLog.String(), refresh) || strings.Contains(lastLog.String(), access) {
		t.Fatal("the log holds a token")
	}
	// The next refresh starts from the recovered token.
	if _, err := next.Refresh(ctx, 1, func(_ context.Context, cur Tokens) (Tokens, error) {
		if cur.RefreshToken != refresh {
			t.Errorf("the next refresh got %v", cur)
		}
		return Tokens{AccessToken: "a3", RefreshToken: "r3", Expiry: expiry}, nil
	}); err != nil {
		t.Fatal(err)
	}
	wantNoRecord(t, next, 1, "a refresh whose tokens reached the keyring left its record")
}

// TestJournalNeverOverwritesNewerTokens: a record whose refresh token the keyring no longer
// holds (a later refresh, made without the journal, or a reconnect stored newer tokens) is
// dropped, not replayed over them.
func TestJournalNeverOverwritesNewerTokens(t *testing.T) {
	v, tv := journalVault(t)
	ctx := context.Background()
	connect(t, v, 1, "a1", "r1")
	killedAfterReply(t, v, tv.Keyring, 1, "a2", "r2")
	// Newer tokens reach the keyring while the record stays (a process without the key).
	storeDirectly(t, tv, 1, "a9-newer", "r9-newer")
	got, err := reopen(t, tv, nil).Tokens(ctx, 1)
	if err != nil || got.RefreshToken != "r9-newer" || got.AccessToken != "a9-newer" {
		t.Fatalf("an old record overwrote newer tokens: %v, %v", got, err)
	}
	wantNoRecord(t, v, 1, "the stale record was kept")
}

// TestJournalRecordKilledAfterTheKeyringWrite: a refresh killed after the keyring took its
// tokens but before it emptied its record leaves a record the next start finds already
// stored: nothing changes, and the record goes.
func TestJournalRecordKilledAfterTheKeyringWrite(t *testing.T) {
	v, tv := journalVault(t)
	ctx := context.Background()
	connect(t, v, 1, "a1", "r1")
	killedAfterReply(t, v, tv.Keyring, 1, "a2", "r2")
	storeDirectly(t, tv, 1, "a2", "r2")
	got, err := reopen(t, tv, nil).Tokens(ctx, 1)
	if err != nil || got.RefreshToken != "r2" || got.AccessToken != "a2" {
		t.Fatalf("Tokens = %v, %v", got, err)
	}
	if strings.Contains(lastLog.String(), "completed from the refresh journal") {
		t.Error("a record whose tokens were stored already was reported as a recovery")
	}
	wantNoRecord(t, v, 1, "the record was kept")
}

// TestJournalDamagedRecordIsSetAside: a record cut short, changed, copied from another
// company or sealed with a key this computer no longer has never crashes nor changes the
// keyring: it is set aside with a plain sentence, and the keyring's tokens are used.
func TestJournalDamagedRecordIsSetAside(t *testing.T) {
	v, tv := journalVault(t)
	ctx := context.Background()
	connect(t, v, 1, "a1", "r1")
	connect(t, v, 2, "b1", "s1")
	killedAfterReply(t, v, tv.Keyring, 1, "a2", "r2")
	good, err := os.ReadFile(v.journal.path(1))
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)-3] ^= 0x40
	otherKey := bytes.Clone(good)
	otherKey[len(journalMagic)+2] ^= 0x01
	cases := map[string][]byte{
		"cut to 37 bytes":   good[:37],
		"cut short":         good[:len(good)-5],
		"a bit changed":     flipped,
		"another key":       otherKey,
		"not a record":      []byte("{\"refresh\": \"plain\"}\n"),
		"a huge length":     append(append([]byte(nil), good[:journalHeader-4]...), 0xff, 0xff, 0xff, 0xff),
		"another company's": good, // written under company 2's name below
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			id := int64(1)
			if name == "another company's" {
				id = 2
			}
			path := v.journal.path(id)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			next := reopen(t, tv, nil)
			got, err := next.Tokens(ctx, id)
			want := map[int64]string{1: "r1", 2: "s1"}[id]
			if err != nil || got.RefreshToken != want {
				t.Fatalf("Tokens = %v, %v; want the keyring's %s", got, err, want)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the damaged record is still in place: %v", err)
			}
			aside, _ := filepath.Glob(path + ".unreadable-*")
			if len(aside) != 1 {
				t.Fatalf("set aside: %v", aside)
			}
			_ = os.Remove(aside[0])
			if !strings.Contains(lastLog.String(), "A refresh journal record couldn't be read, so it was set aside") {
				t.Fatalf("nothing was said: %q", lastLog.String())
			}
		})
	}
}

// keyRefused is the keyring refusing the journal's key item only (as a locked or
// misbehaving keyring might refuse one item); every other call goes through.
type keyRefused struct{ Backend }

func (k keyRefused) Get(service, user string) (string, error) {
	if user == journalKeyItem {
		return "", errors.New("org.freedesktop.Secret.Error.IsLocked: the collection is locked")
	}
	return k.Backend.Get(service, user)
}

// TestJournalOffWithoutItsKey: when the keyring won't give the journal's key, a refresh is
// stored as it was before the journal (keyring only), the journal is said to be off once, and
// a record left earlier stays for a process that can read the key.
func TestJournalOffWithoutItsKey(t *testing.T) {
	v, tv := journalVault(t)
	ctx := context.Background()
	connect(t, v, 1, "a1", "r1")
	connect(t, v, 2, "b1", "s1")
	killedAfterReply(t, v, tv.Keyring, 2, "b2", "s2")

	locked := reopen(t, tv, keyRefused{tv.Keyring})
	for i, r := range []string{"r2", "r3"} {
		if _, err := locked.Refresh(ctx, 1, func(context.Context, Tokens) (Tokens, error) {
			return Tokens{AccessToken: "a" + r, RefreshToken: r, Expiry: expiry}, nil
		}); err != nil {
			t.Fatalf("refresh %d without the journal: %v", i, err)
		}
	}
	if got, err := locked.Tokens(ctx, 1); err != nil || got.RefreshToken != "r3" {
		t.Fatalf("Tokens = %v, %v", got, err)
	}
	if got, err := locked.Tokens(ctx, 2); err != nil || got.RefreshToken != "s1" {
		t.Fatalf("company 2 without the key: %v, %v", got, err)
	}
	if n := strings.Count(lastLog.String(), "The refresh journal is off for now"); n != 1 {
		t.Fatalf("the journal being off was said %d times: %q", n, lastLog.String())
	}
	if fi, _ := os.Stat(v.journal.path(1)); fi != nil && fi.Size() != 0 {
		t.Fatal("a record was written without the key")
	}
	if got, err := reopen(t, tv, nil).Tokens(ctx, 2); err != nil || got.RefreshToken != "s2" {
		t.Fatalf("the record kept for later was not replayed once the key could be read: %v, %v", got, err)
	}
}

// TestJournalThatCantBeOpenedStillStoresInTheKeyring: when the journal's file can't be opened
// for writing, the refresh goes on to the keyring as before, with a sentence.
func TestJournalThatCantBeOpenedStillStoresInTheKeyring(t *testing.T) {
	v, _ := journalVault(t)
	ctx := context.Background()
	connect(t, v, 1, "a1", "r1")
	if err := os.Mkdir(v.journal.path(1), 0o700); err != nil { // nothing can be written there
		t.Fatal(err)
	}
	if _, err := v.Refresh(ctx, 1, func(context.Context, Tokens) (Tokens, error) {
		return Tokens{AccessToken: "a2", RefreshToken: "r2", Expiry: expiry}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Tokens(ctx, 1); err != nil || got.RefreshToken != "r2" {
		t.Fatalf("Tokens = %v, %v", got, err)
	}
	if !strings.Contains(lastLog.String(), "The refresh journal is off for now") {
		t.Fatalf("nothing was said: %q", lastLog.String())
	}
}

// TestJournalWriteFailsOnAFullDisk: a record the disk takes only part of is not left half
// written (not even when the keyring then refuses the tokens too), and the refresh goes on to
// the keyring, with a sentence.
func TestJournalWriteFailsOnAFullDisk(t *testing.T) {
	v, tv := journalVault(t)
	ctx := context.Background()
	connect(t, v, 1, "a1", "r1")
	v.journal.wrap = testenv.DiskFull(37)
	if _, err := v.Refresh(ctx, 1, func(context.Context, Tokens) (Tokens, error) {
		return Tokens{AccessToken: "a2", RefreshToken: "r2", Expiry: expiry}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lastLog.String(), "The refresh journal couldn't be written") {
		t.Fatalf("nothing was said: %q", lastLog.String())
	}
	wantNoRecord(t, v, 1, "a half record was left")
	if got, err := v.Tokens(ctx, 1); err != nil || got.RefreshToken != "r2" {
		t.Fatalf("Tokens = %v, %v", got, err)
	}

	v.journal.wrap = testenv.DiskFull(37)
	tv.Keyring.RefuseWrites(true)
	if _, err := v.Refresh(ctx, 1, func(context.Context, Tokens) (Tokens, error) {
		return Tokens{AccessToken: "a3", RefreshToken: "r3", Expiry: expiry}, nil
	}); !problem.Is(err, problem.KindKeyringUnavailable) {
		t.Fatalf("Refresh with the keyring refusing: %v", err)
	}
	tv.Keyring.RefuseWrites(false)
	wantNoRecord(t, v, 1, "a half record was left")
}

// TestJournalFileThatIsNoFileIsSetAside: a journal name that points at a device which never
// ends (/dev/zero) is read no further than a record could be, and set aside.
func TestJournalFileThatIsNoFileIsSetAside(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero on this system")
	}
	v, _ := journalVault(t)
	connect(t, v, 1, "a1", "r1")
	if err := os.Symlink("/dev/zero", v.journal.path(1)); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Tokens(context.Background(), 1); err != nil || got.RefreshToken != "r1" {
		t.Fatalf("Tokens = %v, %v", got, err)
	}
	if !strings.Contains(lastLog.String(), "set aside") {
		t.Fatalf("nothing was said: %q", lastLog.String())
	}
}

// TestJournalKeyIsMadeOnceAcrossVaults: two vaults (two windows or commands) starting at once
// end up with one key, so each can open the other's records.
func TestJournalKeyIsMadeOnceAcrossVaults(t *testing.T) {
	_, tv := journalVault(t)
	ctx := context.Background()
	vaults := []*Vault{reopen(t, tv, nil), reopen(t, tv, nil), reopen(t, tv, nil)}
	ids := make([][8]byte, len(vaults))
	var wg sync.WaitGroup
	for i, v := range vaults {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, id, err := v.journalKey(ctx)
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		}()
	}
	wg.Wait()
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Fatalf("the vaults made different keys: %x", ids)
	}
	stored, err := tv.Keyring.Get(tv.Service, journalKeyItem)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := decodeKey(stored)
	if keyIDOf(key) != ids[0] {
		t.Fatal("the keyring holds another key than the vaults use")
	}
}

// TestJournalGoesWithDisconnectAndForget: a disconnected company's record, and every record
// and the key on Forget, are removed.
func TestJournalGoesWithDisconnectAndForget(t *testing.T) {
	v, tv := journalVault(t)
	ctx := context.Background()
	connect(t, v, 1, "a1", "r1")
	connect(t, v, 2, "b1", "s1")
	killedAfterReply(t, v, tv.Keyring, 1, "a2", "r2")
	killedAfterReply(t, v, tv.Keyring, 2, "b2", "s2")
	if err := v.Disconnect(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(v.journal.path(1)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the disconnected company's journal is still there: %v", err)
	}
	if err := v.Forget(ctx); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(tv.Dir, "*.journal*"))
	if len(left) != 0 {
		t.Fatalf("journal files left after Forget: %v", left)
	}
	if _, err := tv.Keyring.Get(tv.Service, journalKeyItem); err == nil {
		t.Fatal("the journal's key outlived Forget")
	}
	if _, _, ok := v.journal.cached(); ok {
		t.Fatal("the vault still holds the forgotten key")
	}
}
