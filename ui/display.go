package ui

import (
	"errors"
	"os"
	"runtime"
)

// errNoDisplay is said instead of a graphics library's panic when there is no screen to use.
var errNoDisplay = errors.New("No display was found, so the window can't open. " +
	"Start Lightspeed Connect from your desktop, or use its command line: run \"lightspeed-connect help\".")

// CheckDisplay reports, before any window is made, whether there is an X display to open it
// on. Windows and macOS always have one; elsewhere the app needs DISPLAY (XWayland provides it
// on Wayland desktops).
func CheckDisplay() error {
	switch runtime.GOOS {
	case "windows", "darwin", "android", "ios", "js":
		return nil
	}
	if os.Getenv("DISPLAY") == "" {
		return errNoDisplay
	}
	return nil
}
