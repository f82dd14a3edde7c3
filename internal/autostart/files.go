//go:build !windows

package autostart

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// entry is where the autostart file lives and what it holds for exe.
func entry(exe string) (path string, content []byte, err error) {
	if runtime.GOOS == "darwin" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(home, "Library", "LaunchAgents", launchAgentLabel+".plist"), launchAgent(exe), nil
	}
	config, err := os.UserConfigDir() // $XDG_CONFIG_HOME, or ~/.config
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(config, "autostart", desktopFileName), desktopEntry(exe), nil
}

// Enabled reports whether the app starts at sign-in.
func Enabled() (bool, error) {
	path, _, err := entry("")
	if err != nil {
		return false, err
	}
	_, err = os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Enable makes the app start at sign-in as exe --background, replacing an older entry.
func Enable(exe string) error {
	path, content, err := entry(exe)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, content, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Disable stops the app starting at sign-in; it is not an error when it did not.
func Disable() error {
	path, _, err := entry("")
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
