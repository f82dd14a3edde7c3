package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/atomicfile"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// File names inside the state directory.
const (
	// AppDirName is the app's folder inside the user's config directory.
	AppDirName = "lightspeed-connect"
	// StateFileName holds the State as JSON.
	StateFileName = "state.json"
	// LockFileName is locked by whoever reads or writes the state or refreshes tokens. It is
	// never deleted: removing a lock file another process holds would break the lock.
	LockFileName = "state.lock"
)

// StateDir returns the default state directory, <user config dir>/lightspeed-connect: on Linux
// $XDG_CONFIG_HOME/lightspeed-connect (or ~/.config/…), on macOS
// ~/Library/Application Support/lightspeed-connect, on Windows %AppData%\lightspeed-connect.
func StateDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", problem.New(problem.KindStorage,
			"The app couldn't find your settings folder, so it can't remember your companies. Make sure your home folder is set up (HOME, or XDG_CONFIG_HOME on Linux), then try again.",
			err).WithDetail("os.UserConfigDir: %v", err)
	}
	return filepath.Join(base, AppDirName), nil
}

// storeOptions configures newStore; the zero value uses StateDir and defaultLockTimeout.
type storeOptions struct {
	// Dir is the state directory; default StateDir(). Tests use a temporary one.
	Dir string
	// LockTimeout is how long Lock waits for another window or command; default
	// defaultLockTimeout.
	LockTimeout time.Duration
	// Now is the clock used to name set-aside files; default time.Now.
	Now func() time.Time
}

// Store is the state file and its lock. Every read and write happens under the lock (see Update).
type Store struct {
	dir         string
	lockTimeout time.Duration
	now         func() time.Time
	sem         chan struct{}
	// wrap, when set by a test, sits between the encoder and the state file (a full disk).
	wrap func(io.Writer) io.Writer
	// wrapLastGood is the same for the last-good copy.
	wrapLastGood func(io.Writer) io.Writer
	// hasRefreshToken reports whether the keychain holds a company's refresh token; set by
	// Open, so a rebuild from the last-good copy can name the companies it can't bring back.
	hasRefreshToken func(ctx context.Context, companyID int64) (bool, error)

	mu          sync.Mutex
	recovered   *Recovery // the last rebuild from the last-good copy, until a face takes it
	onRecovery  func()    // told when a rebuild leaves a Recovery to take (OnRecovery)
	lastGoodErr error     // why the last-good copy could not be written at the last save
}

// newStore returns a Store for opts.Dir. It creates nothing yet: the directory is made (0700)
// on the first lock, so that merely opening the app never fails on a read-only disk.
func newStore(opts storeOptions) (*Store, error) {
	dir := opts.Dir
	if dir == "" {
		d, err := StateDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, atomicfile.StorageError(dir, fmt.Errorf("could not resolve the state directory: %w", err))
	}
	s := &Store{dir: abs, lockTimeout: opts.LockTimeout, now: opts.Now, sem: processLock(abs)}
	if s.lockTimeout <= 0 {
		s.lockTimeout = defaultLockTimeout
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Dir returns the state directory.
func (s *Store) Dir() string { return s.dir }

// Path returns the state file's path.
func (s *Store) Path() string { return filepath.Join(s.dir, StateFileName) }

// ensureDir creates the state directory with mode 0700 and takes group and other permissions
// off an existing one, because the state names a person's companies though it holds no secret.
func (s *Store) ensureDir() error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return atomicfile.StorageError(s.dir, fmt.Errorf("could not create the state directory: %w", err))
	}
	if fi, err := os.Stat(s.dir); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		_ = os.Chmod(s.dir, fi.Mode().Perm()&0o700)
	}
	return nil
}

var errSchemaNewer = errors.New("state file has a newer schema")

// load reads the state file. A missing file is an empty state, or the last-good copy's when
// the file was lost (see recoverMissing). A file that cannot be read or parsed is moved aside
// (never deleted) and the state is rebuilt from the last-good copy; without one an empty state
// comes back with KindStateCorrupt. A newer schema returns what could be read with an error,
// and Save will refuse to overwrite it.
func (s *Store) load() (*State, error) {
	data, err := os.ReadFile(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return s.recoverMissing()
	}
	if err != nil {
		return s.recoverUnreadable(nil, fmt.Errorf("could not read the state file: %w", err))
	}
	st, err := parseState(data)
	if errors.Is(err, errSchemaNewer) {
		return st, s.newerError(st.Schema)
	}
	if err != nil {
		return s.recoverUnreadable(data, err)
	}
	return st, nil
}

// parseState decodes a state file. A file without a positive schema number is corrupt.
func parseState(data []byte) (*State, error) {
	var head struct {
		Schema *int `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("could not parse the state file: %w", err)
	}
	if head.Schema == nil || *head.Schema < 1 {
		return nil, errors.New("the state file has no schema version")
	}
	st := &State{}
	err := st.UnmarshalJSON(data) // not through json.Unmarshal: the head above checked the syntax
	if *head.Schema > SchemaProducts {
		st.Schema = *head.Schema
		return st, errSchemaNewer
	}
	if err != nil {
		return nil, fmt.Errorf("could not decode the state file: %w", err)
	}
	return st, nil
}

func (s *Store) newerError(schema int) error {
	return problem.New(problem.KindStorage,
		"This computer's Lightspeed Connect data was saved by a newer version of the app, so this version won't change it. Update the app, then try again.",
		errSchemaNewer).WithDetail("%s has schema %d; this app knows up to %d", s.Path(), schema, SchemaProducts)
}

// moveAside renames an unreadable state file to state.json.corrupt-<UTC time>, keeping it for
// support, and returns an empty state with KindStateCorrupt. The keyring is not touched.
func (s *Store) moveAside(cause error) (*State, error) {
	aside, err := s.setAside(s.Path(), "corrupt")
	if err != nil {
		return newState(), atomicfile.StorageError(s.Path(), fmt.Errorf("could not move the unreadable state file aside: %w", err))
	}
	return newState(), corruptError(s.Path(), aside, cause)
}

// corruptError says that the state file could not be read and nothing could be rebuilt.
func corruptError(path, aside string, cause error) error {
	return problem.New(problem.KindStateCorrupt,
		"The app's saved list of companies couldn't be read, so it was set aside at "+aside+
			" and the app started fresh. Nothing was deleted from the keychain: reconnect your companies, and send that file to support if this happens again.",
		cause).WithDetail("state file %s unreadable, kept as %s: %v", path, aside, cause)
}

// setAside renames the file at path to path.<why>-<UTC time> (a name no file has yet, so
// none is overwritten) and returns the new name.
func (s *Store) setAside(path, why string) (string, error) {
	base := path + "." + why + "-" + s.now().UTC().Format("20060102T150405Z")
	name := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			break
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(path, name); err != nil {
		return "", err
	}
	atomicfile.SyncDir(s.dir)
	return name, nil
}

// save writes st atomically (mode 0600), then the last-good copy. It first looks at the file
// it would replace: a newer schema is refused, and an unreadable file is moved aside rather
// than overwritten.
func (s *Store) save(st *State) error {
	if st.Schema > SchemaProducts {
		return s.newerError(st.Schema)
	}
	if err := s.guardExisting(); err != nil {
		return err
	}
	data, err := encodeState(st)
	if err != nil {
		return err
	}
	if err := s.writeState(data); err != nil {
		return err
	}
	st.Schema, st.SchemaMinor = st.schemaToWrite(), max(st.SchemaMinor, SchemaMinor)
	return nil
}

// encodeState is st as the state file holds it: the schema its content calls for
// (State.schemaToWrite), and the highest minor that wrote it (st may hold a newer minor's
// fields, kept unknown).
func encodeState(st *State) ([]byte, error) {
	out := *st
	out.Schema, out.SchemaMinor = st.schemaToWrite(), max(st.SchemaMinor, SchemaMinor)
	data, err := out.MarshalJSON() // not through json.MarshalIndent, which would check it again
	if err != nil {
		return nil, fmt.Errorf("could not encode the state: %w", err)
	}
	var indented bytes.Buffer
	indented.Grow(len(data) * 2)
	if err := json.Indent(&indented, data, "", "  "); err != nil {
		return nil, fmt.Errorf("could not encode the state: %w", err)
	}
	indented.WriteByte('\n')
	return indented.Bytes(), nil
}

// writeState writes data to the state file atomically and, once that has succeeded, to the
// last-good copy.
func (s *Store) writeState(data []byte) error {
	err := atomicfile.Write(s.Path(), atomicfile.Options{Force: true, Wrap: s.wrap}, func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(data))
		return err
	})
	if err != nil {
		return err
	}
	s.writeLastGood(data)
	return nil
}

func (s *Store) guardExisting() error {
	data, err := os.ReadFile(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil {
		var st *State
		st, err = parseState(data)
		if errors.Is(err, errSchemaNewer) {
			return s.newerError(st.Schema)
		}
	}
	if err != nil {
		if _, aerr := s.moveAside(err); problem.Is(aerr, problem.KindStorage) {
			return aerr
		}
	}
	return nil
}

// removeState deletes the state file and its last-good copy (forget everything). Set-aside
// files are kept. The copy goes first: were it left alone, the next start would rebuild the
// state from it.
func (s *Store) removeState() error {
	for _, path := range []string{s.lastGoodPath(), s.Path()} {
		err := os.Remove(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return atomicfile.StorageError(path, fmt.Errorf("could not delete the state file: %w", err))
		}
	}
	atomicfile.SyncDir(s.dir)
	return nil
}

// IsNewerSchema reports whether err says the state file was written by a newer major schema
// than this app knows: the state that came with it was read as far as it could be, and this
// app must not write it.
func IsNewerSchema(err error) bool { return errors.Is(err, errSchemaNewer) }
