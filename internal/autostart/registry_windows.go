package autostart

import (
	"errors"

	"golang.org/x/sys/windows/registry"
)

// runKey is the current user's list of programs Windows starts at sign-in.
const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// Enabled reports whether the app starts at sign-in.
func Enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return false, err
	}
	defer k.Close()
	_, _, err = k.GetStringValue(runValueName)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Enable makes the app start at sign-in as exe --background, replacing an older value.
func Enable(exe string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	return k.SetStringValue(runValueName, runValue(exe))
}

// Disable stops the app starting at sign-in; it is not an error when it did not.
func Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	if err := k.DeleteValue(runValueName); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return err
	}
	return nil
}
