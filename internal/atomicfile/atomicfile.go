// Package atomicfile writes files whole or not at all, readable only by their owner, and says
// in a plain sentence why a write failed. The state file and the export files both use it.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// Options shape one Write.
type Options struct {
	// Force replaces an existing file; without it an existing path is left alone (KindExists).
	Force bool
	// Wrap, when not nil, sits between write and the temporary file; tests use it to simulate
	// a disk that fills up half way.
	Wrap func(io.Writer) io.Writer
}

// Write makes path hold either its old content or all of the new content, never a part: it
// writes a temporary file beside path (mode 0600), syncs it, then moves it into place and syncs
// the directory where the platform allows.
func Write(path string, opts Options, write func(io.Writer) error) error {
	if !opts.Force {
		if err := refuseExisting(path); err != nil {
			return err
		}
	}
	tmp, err := writeTemp(path, write, opts.Wrap)
	if err != nil {
		return err
	}
	if err := moveIntoPlace(tmp, path, opts.Force); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	SyncDir(filepath.Dir(path))
	return nil
}

// writeTemp writes the content to a fresh 0600 file in path's directory and returns its name.
// On any failure the temporary file is removed.
func writeTemp(path string, write func(io.Writer) error, wrap func(io.Writer) io.Writer) (name string, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", StorageError(path, fmt.Errorf("could not create a temporary file: %w", err))
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return "", StorageError(path, fmt.Errorf("could not restrict the temporary file: %w", err))
	}
	var w io.Writer = f
	if wrap != nil {
		w = wrap(f)
	}
	bw := bufio.NewWriter(w)
	if err = write(bw); err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return "", StorageError(path, fmt.Errorf("could not write: %w", err))
	}
	if err = f.Sync(); err != nil {
		return "", StorageError(path, fmt.Errorf("could not flush to disk: %w", err))
	}
	if err = f.Close(); err != nil {
		return "", StorageError(path, fmt.Errorf("could not close: %w", err))
	}
	return f.Name(), nil
}

// moveIntoPlace renames tmp to path. Without force it links instead, which fails atomically
// when path exists; on file systems without hard links it falls back to check-then-rename.
func moveIntoPlace(tmp, path string, force bool) error {
	if !force {
		err := os.Link(tmp, path)
		if err == nil {
			_ = os.Remove(tmp)
			return nil
		}
		if errors.Is(err, fs.ErrExist) {
			return existsError(path)
		}
		if err := refuseExisting(path); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return StorageError(path, fmt.Errorf("could not move the new file into place: %w", err))
	}
	return nil
}

func refuseExisting(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return existsError(path)
	}
	return nil
}

func existsError(path string) error {
	return problem.New(problem.KindExists,
		"There is already a file at "+path+". Choose another name, or allow overwriting.", fs.ErrExist).
		WithDetail("refused to overwrite %s", path)
}

// SyncDir makes a rename durable. Windows cannot open a directory for syncing and some file
// systems refuse; the rename itself has already happened, so failures are ignored.
func SyncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// StorageError explains a failed file operation on path in a plain sentence with a fix.
func StorageError(path string, err error) *problem.Error {
	var summary string
	switch {
	case errors.Is(err, syscall.ENOSPC):
		summary = "The disk is full, so the app couldn't save " + path + ". Free some space, then try again; nothing was changed."
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		summary = "The app isn't allowed to write " + path + " (the folder may be read-only). Choose a folder you can write to, or fix its permissions, then try again."
	default:
		summary = "The app couldn't save " + path + ". Check that the folder exists and that you can write to it, then try again."
	}
	return problem.New(problem.KindStorage, summary, err).WithDetail("%s: %v", path, err)
}
