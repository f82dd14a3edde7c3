package vault

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestMain lets the test binary play a second process that holds the state lock or a
// company's lock.
func TestMain(m *testing.M) {
	if dir := os.Getenv("LSC_VAULT_LOCK_CHILD"); dir != "" {
		os.Exit(holdLockAsChild(dir))
	}
	if dir := os.Getenv(companyLockChildEnv); dir != "" {
		os.Exit(holdCompanyLockAsChild(dir))
	}
	os.Exit(m.Run())
}

// holdLockAsChild takes the lock, says "locked" on stdout and keeps it until stdin closes.
func holdLockAsChild(dir string) int {
	s, err := newStore(storeOptions{Dir: dir, LockTimeout: time.Minute})
	if err != nil {
		return 2
	}
	l, err := s.lock(context.Background())
	if err != nil {
		fmt.Println("error:", problem.KindOf(err))
		return 3
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	l.Unlock()
	return 0
}

func testStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := newStore(storeOptions{Dir: dir, LockTimeout: 30 * time.Second,
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sampleCompany(id int64) Company {
	return Company{ID: id, Name: fmt.Sprintf("Harbour Burgers %d", id),
		Sites:       []Site{{ID: id*10 + 1, Name: "Parramatta", Code: "PAR"}, {ID: id*10 + 2, Name: "Manly"}},
		ConnectedAt: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC), AccessExpiry: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC),
		LastCheck: &Check{Status: "healthy", Detail: "Lightspeed answered.", HTTPStatus: 200,
			Latency: 120 * time.Millisecond, ClockSkew: -2 * time.Second, CheckedAt: time.Date(2026, 1, 1, 9, 30, 0, 0, time.UTC)}}
}

func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("a temporary file was left behind: %s", e.Name())
		}
	}
}

func TestStateRoundTripIsAtomicAndPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", AppDirName)
	s := testStore(t, dir)
	ctx := context.Background()

	st, err := s.Load(ctx)
	if err != nil || st.Schema != SchemaVersion || len(st.Companies) != 0 {
		t.Fatalf("a missing file must load as an empty state: %+v, %v", st, err)
	}
	in := Integration{ClientID: "cid", RedirectURI: "http://127.0.0.1:8765/callback", TokenURL: "http://127.0.0.1:1/token", Practice: true}
	err = s.Update(ctx, func(st *State) error {
		st.Integration = in
		st.putCompany(sampleCompany(1))
		st.putCompany(sampleCompany(2))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Integration, in) || len(got.Companies) != 2 || got.Company(2).Name != "Harbour Burgers 2" ||
		!reflect.DeepEqual(*got.Company(1).LastCheck, *sampleCompany(1).LastCheck) || !got.Company(1).AccessExpiry.Equal(sampleCompany(1).AccessExpiry) {
		t.Fatalf("round trip changed the state: %+v", got)
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{s.Path(): 0o600, dir: 0o700} {
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != want {
				t.Errorf("%s: mode %v, want %v (%v)", path, fi.Mode().Perm(), want, err)
			}
		}
	}
	noTempFiles(t, dir)

	// A failing fn saves nothing.
	boom := errors.New("boom")
	err = s.Update(ctx, func(st *State) error { st.removeCompany(1); return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	if got, _ := s.Load(ctx); got.Company(1) == nil {
		t.Fatal("a failed Update must not save")
	}
}

func TestExistingLooseDirectoryIsTightened(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no permission bits")
	}
	dir := filepath.Join(t.TempDir(), "loose")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := testStore(t, dir).Update(context.Background(), func(*State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v, want 0700", fi.Mode().Perm())
	}
}

func TestCorruptStateIsMovedAsideAndKept(t *testing.T) {
	tests := map[string]string{
		"garbage":     "not json at all",
		"empty":       "",
		"truncated":   `{"schema":1,"companies":[{"id":1`,
		"no schema":   `{"companies":[]}`,
		"null":        `null`,
		"schema zero": `{"schema":0}`,
		"wrong types": `{"schema":1,"companies":{"id":1}}`,
		"unreadable":  "", // state.json is a directory
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			v, _ := testVault(t)
			ctx := context.Background()
			if err := v.Secrets.saveTokens(ctx, 5, Tokens{AccessToken: "a", RefreshToken: "r"}); err != nil {
				t.Fatal(err)
			}
			s := v.Store
			if err := os.MkdirAll(s.Dir(), 0o700); err != nil {
				t.Fatal(err)
			}
			if name == "unreadable" {
				if err := os.Mkdir(s.Path(), 0o700); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(s.Path(), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}

			st, err := s.Load(ctx)
			wantKind(t, err, problem.KindStateCorrupt)
			if st == nil || st.Schema != SchemaVersion || len(st.Companies) != 0 {
				t.Fatalf("loading must go on with an empty state, got %+v", st)
			}
			aside := asideFiles(t, s)
			if len(aside) != 1 || !strings.Contains(problem.Summary(err), aside[0]) {
				t.Fatalf("set-aside files %v; summary %q must name the one", aside, problem.Summary(err))
			}
			if name != "unreadable" {
				if kept, _ := os.ReadFile(aside[0]); string(kept) != content {
					t.Fatalf("the set-aside file holds %q, want %q", kept, content)
				}
			}
			if _, err := os.Lstat(s.Path()); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the corrupt file is still in place: %v", err)
			}
			if got, err := v.Secrets.LoadTokens(ctx, 5); err != nil || got.RefreshToken != "r" {
				t.Fatalf("the keyring must be untouched: %v", err)
			}
		})
	}
}

func asideFiles(t *testing.T, s *Store) []string {
	t.Helper()
	names, err := filepath.Glob(s.Path() + ".corrupt-*")
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestUpdateAfterCorruptionStopsOnceThenWorks(t *testing.T) {
	s := testStore(t, t.TempDir())
	ctx := context.Background()
	ran := 0
	fn := func(st *State) error { ran++; st.putCompany(sampleCompany(3)); return nil }
	for i := range 2 { // the same clock twice: the second set-aside file needs its own name
		if err := os.WriteFile(s.Path(), []byte("{{{"), 0o600); err != nil {
			t.Fatal(err)
		}
		wantKind(t, s.Update(ctx, fn), problem.KindStateCorrupt)
		if ran != 0 {
			t.Fatal("fn ran on a corrupt state")
		}
		if got := len(asideFiles(t, s)); got != i+1 {
			t.Fatalf("%d set-aside files, want %d: none may be overwritten", got, i+1)
		}
	}
	if err := s.Update(ctx, fn); err != nil || ran != 1 {
		t.Fatalf("the second Update must work on the fresh state: %v, ran %d", err, ran)
	}
}

func TestSaveMovesAsideRatherThanOverwritingACorruptFile(t *testing.T) {
	s := testStore(t, t.TempDir())
	ctx := context.Background()
	l, err := s.lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if err := os.WriteFile(s.Path(), []byte("corrupt after load"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.Save(newState()); err != nil {
		t.Fatal(err)
	}
	if aside := asideFiles(t, s); len(aside) != 1 {
		t.Fatalf("set-aside files: %v", aside)
	}
}

func TestNewerSchemaIsNotOverwritten(t *testing.T) {
	s := testStore(t, t.TempDir())
	ctx := context.Background()
	content := `{"schema": 99, "integration": {"client_id": "cid"}, "companies": [{"id": 4, "name": "Bondi"}], "future": {"x": 1}}`
	if err := os.WriteFile(s.Path(), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := s.Load(ctx)
	wantKind(t, err, problem.KindStorage)
	if !strings.Contains(problem.Summary(err), "Update the app") {
		t.Fatalf("summary %q must say to update the app", problem.Summary(err))
	}
	if st == nil || st.Schema != 99 || st.Integration.ClientID != "cid" || st.Company(4) == nil {
		t.Fatalf("what could be read should come back: %+v", st)
	}
	wantKind(t, s.Update(ctx, func(*State) error { t.Error("fn ran"); return nil }), problem.KindStorage)

	l, err := s.lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, l.Save(newState()), problem.KindStorage)
	wantKind(t, l.Save(st), problem.KindStorage)
	l.Unlock()
	if got, _ := os.ReadFile(s.Path()); string(got) != content {
		t.Fatalf("the newer file was changed to %q", got)
	}
	if aside := asideFiles(t, s); len(aside) != 0 {
		t.Fatalf("a newer file is not corrupt, yet it was moved aside: %v", aside)
	}
}

func TestReadOnlyPlacesAreStorageErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("parent is a regular file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "not-a-dir")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(file, AppDirName)
		err := testStore(t, dir).Update(ctx, func(*State) error { return nil })
		wantKind(t, err, problem.KindStorage)
		if !strings.Contains(problem.Summary(err), dir) || !strings.Contains(problem.Detail(err), dir) {
			t.Fatalf("summary %q and detail %q must name %s", problem.Summary(err), problem.Detail(err), dir)
		}
	})
	t.Run("directory without write permission", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("Windows has no permission bits; the regular-file case covers it")
		}
		dir := t.TempDir()
		s := testStore(t, dir)
		if err := s.Update(ctx, func(*State) error { return nil }); err != nil { // lock file exists now
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
		if f, err := os.CreateTemp(dir, "probe"); err == nil {
			_ = f.Close()
			t.Skip("running as root, where a read-only mode does not stop writes; the regular-file case covers this")
		}
		err := s.Update(ctx, func(*State) error { return nil })
		wantKind(t, err, problem.KindStorage)
		if !strings.Contains(problem.Summary(err), "isn't allowed") {
			t.Fatalf("summary %q should say the folder is not writable", problem.Summary(err))
		}
	})
}

func TestSaveOnAFullDiskKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	s := testStore(t, dir)
	ctx := context.Background()
	if err := s.Update(ctx, func(st *State) error { st.putCompany(sampleCompany(1)); return nil }); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(s.Path())
	s.wrap = testenv.DiskFull(40)
	err := s.Update(ctx, func(st *State) error { st.putCompany(sampleCompany(2)); return nil })
	wantKind(t, err, problem.KindStorage)
	if !strings.Contains(problem.Summary(err), "disk is full") {
		t.Fatalf("summary %q should say the disk is full", problem.Summary(err))
	}
	if after, _ := os.ReadFile(s.Path()); string(after) != string(before) {
		t.Fatal("the state file changed after a failed write")
	}
	noTempFiles(t, dir)
}

func TestLockExcludesASecondHolderInThisProcess(t *testing.T) {
	dir := t.TempDir()
	a := testStore(t, dir)
	b, _ := newStore(storeOptions{Dir: dir, LockTimeout: 200 * time.Millisecond})
	ctx := context.Background()
	l, err := a.lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.lock(ctx)
	wantKind(t, err, problem.KindBusy)
	if want := "Another Lightspeed Connect window or command is busy with the same data. Wait a moment and try again."; problem.Summary(err) != want {
		t.Fatalf("summary = %q", problem.Summary(err))
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = b.lock(cctx)
	wantKind(t, err, problem.KindCanceled)

	l.Unlock()
	l.Unlock() // twice is fine
	wantKind(t, l.Save(newState()), problem.KindUnknown)
	l2, err := b.lock(ctx)
	if err != nil {
		t.Fatalf("after Unlock the lock must be free: %v", err)
	}
	l2.Unlock()
}

func TestLockExcludesAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	release := startLockChild(t, "LSC_VAULT_LOCK_CHILD="+dir)

	s, _ := newStore(storeOptions{Dir: dir, LockTimeout: 300 * time.Millisecond})
	_, err := s.lock(context.Background())
	wantKind(t, err, problem.KindBusy)
	wantKind(t, s.Update(context.Background(), func(*State) error { return nil }), problem.KindBusy)

	if err := release(); err != nil {
		t.Fatalf("child: %v", err)
	}
	s2, _ := newStore(storeOptions{Dir: dir, LockTimeout: 30 * time.Second})
	if err := s2.Update(context.Background(), func(*State) error { return nil }); err != nil {
		t.Fatalf("after the child let go: %v", err)
	}
}

func TestUpdatesFromManyGoroutinesAreSerialised(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			s := testStore(t, dir) // separate Stores on one directory share the process lock
			errs <- s.Update(ctx, func(st *State) error { st.putCompany(Company{ID: int64(i + 1)}); return nil })
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := testStore(t, dir).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, 0, len(st.Companies))
	for _, c := range st.Companies {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	if len(ids) != 20 || ids[0] != 1 || ids[19] != 20 {
		t.Fatalf("lost updates: %v", ids)
	}
}

func TestStateDirHonoursXDGConfigHome(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CONFIG_HOME is a Linux convention")
	}
	t.Setenv("XDG_CONFIG_HOME", "/somewhere/config")
	dir, err := StateDir()
	if err != nil || dir != "/somewhere/config/"+AppDirName {
		t.Fatalf("StateDir = %q, %v", dir, err)
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", "")
	_, err = StateDir()
	wantKind(t, err, problem.KindStorage)
}

// BenchmarkUpdate measures one locked load-change-save cycle of a state with ten companies.
func BenchmarkUpdate(b *testing.B) {
	s, err := newStore(storeOptions{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		err := s.Update(ctx, func(st *State) error {
			st.putCompany(sampleCompany(int64(len(st.Companies)%10 + 1)))
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// startLockChild re-runs the test binary with env, which makes it take a lock and say
// "locked" on stdout; it returns once the child holds the lock. release lets the child let go
// and waits for it to exit (the test's end does so at the latest).
func startLockChild(t *testing.T, env ...string) (release func() error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	release = sync.OnceValue(func() error {
		_ = stdin.Close()
		return cmd.Wait()
	})
	t.Cleanup(func() { _ = release() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("child said %q, %v", line, err)
	}
	return release
}
