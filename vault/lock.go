package vault

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/lightspeedconnect/lightspeed-connect/internal/atomicfile"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// defaultLockTimeout is how long a lock is waited for, for another window or command. A
// refresh holds its company's lock for one network round trip (bounded by the OAuth client's
// own timeout) and the state lock only for a moment, so this is generous; after it the person
// is told to wait.
const defaultLockTimeout = 15 * time.Second

// lockRetry is how often a waiting lock tries the lock file again.
const lockRetry = 50 * time.Millisecond

// processLocks holds one semaphore per state directory (the state lock's), so goroutines of this process (and
// several Stores on one directory) take turns before they even touch the lock file.
var processLocks sync.Map

func processLock(dir string) chan struct{} {
	sem, _ := processLocks.LoadOrStore(dir, make(chan struct{}, 1))
	return sem.(chan struct{})
}

// locked is the state lock, held. While it is held no other goroutine of this process and no
// other Lightspeed Connect process can read or write the state, so a refresh can re-read the
// newest tokens, refresh them and save the result without another refresh in between.
type locked struct {
	store *Store
	file  *flock.Flock
	mu    sync.Mutex
	held  bool
}

// lock takes the state lock: first this process's, then the lock file's, waiting up to the
// lock timeout (or ctx). A lock still held by another window or command after that is KindBusy.
// Call Unlock when done, typically with defer.
func (s *Store) lock(ctx context.Context) (*locked, error) {
	file, err := s.take(ctx, s.sem, filepath.Join(s.dir, LockFileName))
	if err != nil {
		return nil, err
	}
	return &locked{store: s, file: file, held: true}, nil
}

// take takes sem (this process's turn), then the lock file at path (every process's turn),
// waiting up to the lock timeout (or ctx). On success the caller releases the file
// (Unlock, Close) and then sem.
func (s *Store) take(ctx context.Context, sem chan struct{}, path string) (*flock.Flock, error) {
	if err := s.ensureDir(); err != nil {
		return nil, err
	}
	wait, cancel := context.WithTimeout(ctx, s.lockTimeout)
	defer cancel()
	select {
	case sem <- struct{}{}:
	case <-wait.Done():
		return nil, s.waitFailed(ctx, path)
	}
	file := flock.New(path, flock.SetPermissions(0o600))
	ok, err := file.TryLockContext(wait, lockRetry)
	if !ok || err != nil {
		<-sem
		_ = file.Close()
		if wait.Err() != nil {
			return nil, s.waitFailed(ctx, path)
		}
		return nil, atomicfile.StorageError(file.Path(), fmt.Errorf("could not lock: %w", err))
	}
	return file, nil
}

func (s *Store) waitFailed(ctx context.Context, path string) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return canceled(ctx.Err())
	}
	return problem.New(problem.KindBusy,
		"Another Lightspeed Connect window or command is busy with the same data. Wait a moment and try again.",
		context.DeadlineExceeded).WithDetail("lock %s still held after %s", path, s.lockTimeout)
}

var errNotHeld = errors.New("the state lock is not held (used after Unlock)")

// Unlock releases the lock. It is safe to call more than once.
func (l *locked) Unlock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.held {
		return
	}
	l.held = false
	_ = l.file.Unlock()
	_ = l.file.Close()
	<-l.store.sem
}

// Load reads the state under the lock. See Store.Load for what the errors mean.
func (l *locked) Load() (*State, error) {
	if !l.isHeld() {
		return nil, errNotHeld
	}
	return l.store.load()
}

// Save writes st atomically under the lock. It refuses to overwrite a file of a newer schema
// and moves an unreadable one aside instead of overwriting it.
func (l *locked) Save(st *State) error {
	if !l.isHeld() {
		return errNotHeld
	}
	return l.store.save(st)
}

func (l *locked) isHeld() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}

// Load reads the state, taking the lock for the moment it takes. A missing file is an empty
// state. An unreadable file is moved aside and an empty state comes back with KindStateCorrupt
// (a warning to show; the app goes on with the empty state). A newer schema comes back as far
// as it could be read, with a KindStorage error saying to update the app.
//
// Do not call it while holding locked in the same goroutine: use locked.Load.
func (s *Store) Load(ctx context.Context) (*State, error) {
	l, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Unlock()
	return l.Load()
}

// Update is Lock, Load, fn, Save, Unlock. fn changes the state in place; when it returns an
// error nothing is saved and that error comes back. Any Load error (KindStateCorrupt included)
// stops Update before fn runs; after KindStateCorrupt the bad file is already set aside, so
// calling Update again works on the fresh, empty state.
func (s *Store) Update(ctx context.Context, fn func(*State) error) error {
	return s.withState(ctx, func(l *locked, st *State) error {
		if err := fn(st); err != nil {
			return err
		}
		return l.Save(st)
	})
}

// withState runs fn with the lock held and the state loaded; fn decides whether to save.
func (s *Store) withState(ctx context.Context, fn func(*locked, *State) error) error {
	l, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer l.Unlock()
	st, err := l.Load()
	if err != nil {
		return err
	}
	return fn(l, st)
}
