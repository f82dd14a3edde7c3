package vault

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// recoveryVault is a vault on a real keyring whose clock says savedAt, with three companies
// connected (their tokens in the keyring), one of them handed off, and a field from a newer
// version on one: what a rebuilt state must bring back whole.
func recoveryVault(t *testing.T) (*Vault, []byte) {
	t.Helper()
	tv := testenv.NewVault(t)
	clock := time.Date(2026, 12, 3, 14, 2, 0, 0, time.UTC)
	v, err := Open(Options{Dir: tv.Dir, Service: tv.Service, Backend: tv.Keyring,
		KeyringTimeout: 20 * time.Second, LockTimeout: 30 * time.Second, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 3; id++ {
		connect(t, v, id, "a"+string(rune('0'+id)), "r"+string(rune('0'+id)))
	}
	ctx := context.Background()
	err = v.Store.Update(ctx, func(st *State) error {
		st.Company(2).HandedOff = &HandOff{To: "/tmp/integration.env", At: clock}
		total := 5
		st.Company(3).SitesTotal = &total
		st.Company(3).unknown = unknownFields{"x_newer_field": []byte(`{"kept": true}`)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(v.Store.Path())
	if err != nil {
		t.Fatal(err)
	}
	return v, good
}

// TestACutShortStateIsRebuiltFromTheLastGoodCopy: a state file cut to its first 37 bytes is
// set aside, and the state comes back from the last-good copy whole (hand-off mark, site
// total and a newer version's field included), every company connected, with what was
// recovered and from when said once.
func TestACutShortStateIsRebuiltFromTheLastGoodCopy(t *testing.T) {
	v, good := recoveryVault(t)
	ctx := context.Background()
	before, err := v.Store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(v.Store.Path(), good[:37], 0o600); err != nil {
		t.Fatal(err)
	}

	st, err := v.Store.Load(ctx)
	if err != nil {
		t.Fatalf("a cut-short state with a last-good copy must load: %v (%s)", err, problem.Summary(err))
	}
	if !reflect.DeepEqual(st, before) {
		t.Fatalf("the rebuilt state differs from the last one saved:\n%+v\n%+v", st, before)
	}
	if now, _ := os.ReadFile(v.Store.Path()); !bytes.Equal(now, good) {
		t.Fatalf("the state file was not put back as it was saved:\n%s", now)
	}
	aside := asideFiles(t, v.Store)
	if len(aside) != 1 {
		t.Fatalf("set-aside files %v, want the cut-short one", aside)
	}
	if kept, _ := os.ReadFile(aside[0]); !bytes.Equal(kept, good[:37]) {
		t.Fatalf("the set-aside file holds %q", kept)
	}
	rec := v.Store.TakeRecovery()
	if rec == nil || rec.Companies != 3 || rec.Aside != aside[0] || len(rec.Reconnect) != 0 ||
		!rec.SavedAt.Equal(time.Date(2026, 12, 3, 14, 2, 0, 0, time.UTC)) {
		t.Fatalf("recovery = %+v", rec)
	}
	if again := v.Store.TakeRecovery(); again != nil {
		t.Fatalf("the recovery is said twice: %+v", again)
	}
	for id := int64(1); id <= 3; id++ {
		if tok, err := v.Tokens(ctx, id); err != nil || tok.RefreshToken != "r"+string(rune('0'+id)) {
			t.Fatalf("company %d after the rebuild: %+v, %v", id, tok, err)
		}
	}
	if _, err := v.Store.Load(ctx); err != nil || v.Store.TakeRecovery() != nil {
		t.Fatalf("the next load must find the state in place: %v", err)
	}
}

// TestAGarbledStateIsRebuiltToo: garbage in place of the state (a sync tool's conflict, a
// file of zeros after a crash) is rebuilt the same way.
func TestAGarbledStateIsRebuiltToo(t *testing.T) {
	for name, bad := range map[string][]byte{
		"zeros":     make([]byte, 512),
		"garbage":   []byte("<<<<<<< HEAD\n{\"schema\": 1}\n=======\n"),
		"no schema": []byte(`{"companies": []}`),
		"empty":     {},
	} {
		t.Run(name, func(t *testing.T) {
			v, good := recoveryVault(t)
			if err := os.WriteFile(v.Store.Path(), bad, 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := v.Store.Load(context.Background())
			if err != nil || len(st.Companies) != 3 {
				t.Fatalf("%+v, %v", st, err)
			}
			if now, _ := os.ReadFile(v.Store.Path()); !bytes.Equal(now, good) {
				t.Fatal("the state file was not put back")
			}
		})
	}
}

// TestAMissingStateIsRebuiltWhileTheKeychainHoldsTheCompanies: a state file gone (deleted by
// hand or by a sync tool) is rebuilt from the copy when the keychain still holds the
// companies' connections; with nothing left in the keychain either, everything was removed
// on purpose: the state starts empty and the copy is set aside, not used.
func TestAMissingStateIsRebuiltWhileTheKeychainHoldsTheCompanies(t *testing.T) {
	v, good := recoveryVault(t)
	ctx := context.Background()
	if err := os.Remove(v.Store.Path()); err != nil {
		t.Fatal(err)
	}
	st, err := v.Store.Load(ctx)
	if err != nil || len(st.Companies) != 3 {
		t.Fatalf("%+v, %v", st, err)
	}
	if rec := v.Store.TakeRecovery(); rec == nil || rec.Aside != "" || rec.Companies != 3 {
		t.Fatalf("recovery = %+v", rec)
	}
	if now, _ := os.ReadFile(v.Store.Path()); !bytes.Equal(now, good) {
		t.Fatal("the state file was not put back")
	}

	if err := os.Remove(v.Store.Path()); err != nil {
		t.Fatal(err)
	}
	if err := v.Secrets.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	st, err = v.Store.Load(ctx)
	if err != nil || len(st.Companies) != 0 || v.Store.TakeRecovery() != nil {
		t.Fatalf("with the keychain empty too the state must start empty: %+v, %v", st, err)
	}
	unused, _ := filepath.Glob(filepath.Join(v.Store.Dir(), LastGoodFileName+".unused-*"))
	if len(unused) != 1 {
		t.Fatalf("the unused copy must be set aside (kept), found %v", unused)
	}
	if _, err := os.Stat(filepath.Join(v.Store.Dir(), LastGoodFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the unused copy is still in place: %v", err)
	}
}

// TestOnlyCompaniesMissingFromTheKeychainNeedAReconnect: a rebuilt company whose connection
// is not in the keychain is named and marked as needing a reconnect; the others come back
// untouched.
func TestOnlyCompaniesMissingFromTheKeychainNeedAReconnect(t *testing.T) {
	v, good := recoveryVault(t)
	ctx := context.Background()
	if err := v.Secrets.deleteCompany(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(v.Store.Path(), good[:len(good)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := v.Store.Load(ctx)
	if err != nil || len(st.Companies) != 3 {
		t.Fatalf("%+v, %v", st, err)
	}
	rec := v.Store.TakeRecovery()
	if rec == nil || len(rec.Reconnect) != 1 || rec.Reconnect[0].ID != 3 || rec.Reconnect[0].Name != "Harbour Burgers 3" {
		t.Fatalf("recovery = %+v, want company 3 named for a reconnect", rec)
	}
	if f := st.Company(3).LastError; f == nil || f.Kind != problem.KindInvalidGrant {
		t.Fatalf("company 3 must be marked for a reconnect: %+v", f)
	}
	if st.Company(1).LastError != nil || st.Company(2).LastError != nil {
		t.Fatal("companies whose connection is in the keychain must come back without a failure")
	}
	if again, err := v.Store.Load(ctx); err != nil || again.Company(3).LastError == nil ||
		member(t, mustRead(t, v.Store.Path()), "companies", 2, "x_newer_field") != `{"kept":true}` {
		t.Fatalf("the mark (and the rest) must be saved: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestADamagedCopyIsNeverUsed: a copy that fails its checks (a changed byte, cut short,
// another format) is not used: the damaged state starts empty as before, and both files are
// kept aside for support.
func TestADamagedCopyIsNeverUsed(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"a changed byte": func(b []byte) []byte {
			i := bytes.Index(b, []byte("Harbour Burgers 2"))
			b[i] = 'h'
			return b
		},
		"cut short": func(b []byte) []byte { return b[:len(b)-10] },
		"another format": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"last_good_copy":1`), []byte(`"last_good_copy":9`), 1)
		},
	} {
		t.Run(name, func(t *testing.T) {
			v, good := recoveryVault(t)
			copyPath := filepath.Join(v.Store.Dir(), LastGoodFileName)
			damaged := damage(mustRead(t, copyPath))
			if err := os.WriteFile(copyPath, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(v.Store.Path(), good[:37], 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := v.Store.Load(context.Background())
			wantKind(t, err, problem.KindStateCorrupt)
			if len(st.Companies) != 0 || v.Store.TakeRecovery() != nil {
				t.Fatalf("a damaged copy was used: %+v", st)
			}
			copies, _ := filepath.Glob(copyPath + ".corrupt-*")
			if len(copies) != 1 || len(asideFiles(t, v.Store)) != 1 || !bytes.Equal(mustRead(t, copies[0]), damaged) {
				t.Fatalf("both files must be kept aside: %v, %v", copies, asideFiles(t, v.Store))
			}
		})
	}
}

// TestTheCopyFollowsEverySaveAndForgetRemovesIt: the copy holds what the last save wrote; a
// copy that can't be written leaves the save done and says why to diagnostics; Forget removes
// it with the state, so nothing comes back after "forget everything".
func TestTheCopyFollowsEverySaveAndForgetRemovesIt(t *testing.T) {
	v, _ := recoveryVault(t)
	ctx := context.Background()
	copyPath := filepath.Join(v.Store.Dir(), LastGoodFileName)
	good, err := v.Store.readLastGood()
	if err != nil || !bytes.Equal(good.state, bytes.TrimSpace(mustRead(t, v.Store.Path()))) || v.Store.LastGoodError() != nil {
		t.Fatalf("the copy does not hold the last save: %v", err)
	}

	full := errors.New("no space left on device")
	v.Store.wrapLastGood = func(io.Writer) io.Writer { return failingWriter{full} }
	if err := v.Store.Update(ctx, func(st *State) error { st.Company(1).Name = "Renamed"; return nil }); err != nil {
		t.Fatalf("a copy that can't be written must not fail the save: %v", err)
	}
	if !errors.Is(v.Store.LastGoodError(), full) {
		t.Fatalf("LastGoodError = %v", v.Store.LastGoodError())
	}
	if older, err := v.Store.readLastGood(); err != nil || !bytes.Equal(older.state, good.state) {
		t.Fatalf("the copy must stay the one before, whole: %v", err)
	}
	v.Store.wrapLastGood = nil

	if err := os.WriteFile(v.Store.Path(), []byte("{"), 0o600); err != nil { // rebuilt on Forget's way in
		t.Fatal(err)
	}
	if err := v.Forget(ctx); err != nil {
		t.Fatal(err)
	}
	if rec := v.Store.TakeRecovery(); rec != nil {
		t.Fatalf("after Forget a rebuild is still to be told: %+v", rec)
	}
	if _, err := os.Stat(copyPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Forget left the copy: %v", err)
	}
	if st, err := v.Store.Load(ctx); err != nil || len(st.Companies) != 0 {
		t.Fatalf("after Forget nothing may come back: %+v, %v", st, err)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestACopyOfANewerSchemaIsRestoredWhole: a copy written by a newer version goes back as it
// was (this version changes nothing in it) and the state is then, as ever with a newer schema,
// read but not rewritten.
func TestACopyOfANewerSchemaIsRestoredWhole(t *testing.T) {
	s := testStore(t, t.TempDir())
	newer := bytes.Replace(newerState(t), []byte(`"schema": 1,`), []byte(`"schema": 3,`), 1)
	if err := os.MkdirAll(s.Dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	s.writeLastGood(newer)
	if err := os.WriteFile(s.Path(), []byte(`{"schema": 3, "compa`), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := s.Load(context.Background())
	wantKind(t, err, problem.KindStorage)
	if len(st.Companies) != 2 || s.TakeRecovery() == nil {
		t.Fatalf("%+v", st)
	}
	if got := mustRead(t, s.Path()); !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(newer)) {
		t.Fatalf("the newer state was not restored as it was:\n%s", got)
	}
	if strings.Contains(string(mustRead(t, s.Path())), `"schema_minor": 1`) {
		t.Fatal("this version wrote its own minor into a newer file")
	}
}

// TestWholeRecordsOfADamagedFileComeBackWithoutACopy: with no usable copy (none yet, as right
// after an update to this version, or damaged too), the company records of the damaged file
// that are whole up to the damage come back, hand-off mark and all; the rest are lost, and the
// recovery says the list was read from the damaged file.
func TestWholeRecordsOfADamagedFileComeBackWithoutACopy(t *testing.T) {
	for name, breakCopy := range map[string]func(path string) error{
		"no copy":      os.Remove,
		"copy damaged": func(path string) error { return os.WriteFile(path, []byte("{\"last_good_copy\":1,"), 0o600) },
	} {
		t.Run(name, func(t *testing.T) {
			v, good := recoveryVault(t)
			if err := breakCopy(filepath.Join(v.Store.Dir(), LastGoodFileName)); err != nil {
				t.Fatal(err)
			}
			cut := good[:bytes.Index(good, []byte(`"Harbour Burgers 3"`))]
			if err := os.WriteFile(v.Store.Path(), cut, 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := v.Store.Load(context.Background())
			if err != nil || len(st.Companies) != 2 || st.Company(2).HandedOff == nil || st.Integration.ClientID != "cid" {
				t.Fatalf("%+v, %v", st, err)
			}
			rec := v.Store.TakeRecovery()
			if rec == nil || rec.Companies != 2 || !rec.SavedAt.IsZero() || len(asideFiles(t, v.Store)) != 1 || rec.Aside != asideFiles(t, v.Store)[0] {
				t.Fatalf("recovery = %+v", rec)
			}
			if again, err := v.Store.Load(context.Background()); err != nil || len(again.Companies) != 2 {
				t.Fatalf("the rebuilt state must be saved: %v", err)
			}
		})
	}
}

// TestACopyOneSaveOlderGainsTheCompaniesOfTheDamagedFile: the copy could not be written when
// company 4 was connected (a full disk), then the state file was cut short after company 4's
// record: all four come back, three from the copy and one from the damaged file.
func TestACopyOneSaveOlderGainsTheCompaniesOfTheDamagedFile(t *testing.T) {
	v, _ := recoveryVault(t)
	v.Store.wrapLastGood = func(io.Writer) io.Writer { return failingWriter{errors.New("no space left on device")} }
	connect(t, v, 4, "a4", "r4")
	v.Store.wrapLastGood = nil
	now := mustRead(t, v.Store.Path())
	end := bytes.LastIndex(now, []byte("]")) + 1 // the companies, whole; the file's end cut off
	if err := os.WriteFile(v.Store.Path(), now[:end], 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := v.Store.Load(context.Background())
	if err != nil || len(st.Companies) != 4 || st.Company(4) == nil || st.Company(2).HandedOff == nil {
		t.Fatalf("%+v, %v", st, err)
	}
	if rec := v.Store.TakeRecovery(); rec == nil || rec.Companies != 4 || rec.Later != 1 || rec.SavedAt.IsZero() {
		t.Fatalf("recovery = %+v", rec)
	}
}

// TestSalvageTakesOnlyWholeRecords: a record cut in the middle, one of the wrong shape, and
// a file of a newer schema or without one give nothing back.
func TestSalvageTakesOnlyWholeRecords(t *testing.T) {
	st := salvage([]byte(`{"schema": 1, "x_newer_field": 7, "companies": [{"id": 1, "name": "A", "x_newer_field": "k"}, {"id": "two"}, {"id": 3, "name": "C"}, {"id": 4, "na`))
	if st == nil || len(st.Companies) != 2 || st.Company(1) == nil || st.Company(3) == nil || string(st.unknown["x_newer_field"]) != "7" ||
		string(st.Company(1).unknown["x_newer_field"]) != `"k"` {
		t.Fatalf("%+v", st)
	}
	for _, data := range []string{`{"schema": 3, "companies": [{"id": 1}]`, `{"companies": [{"id": 1}]`, `{"schema": 1, "companies": [{"id": 1`, "\x00\x00", ""} {
		if st := salvage([]byte(data)); st != nil {
			t.Errorf("%q gave %+v", data, st)
		}
	}
}
