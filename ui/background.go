package ui

import (
	"fmt"
	"os"

	"fyne.io/fyne/v2"

	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
)

// noTray is said when a background start finds no system tray to wait in.
const noTray = "No system tray was found on this desktop, so Lightspeed Connect opened its window instead; it keeps tokens fresh while the window is open."

// StartInBackground starts like Start but leaves the window hidden, with the icon in the
// system tray and automatic refresh running, and reports true; the caller then runs the app
// without showing the window. Without a tray it says so, in one sentence on the standard
// error and in the window, and reports false: the caller shows the window as usual.
func StartInBackground(a fyne.App, w fyne.Window, info appinfo.Info) (inTray bool) {
	s := open(a, w, info)
	s.startTray(systemTray(a)) // no window shows until this is known, so it may wait
	return s.startInBackground()
}

func (s *shell) startInBackground() bool {
	s.start()
	if s.trayIcon != nil {
		s.hidden = true // the caller runs the app without showing the window
		return true
	}
	if s.real != nil { // otherwise the window already says what is wrong with the keychain
		fmt.Fprintln(os.Stderr, noTray)
		s.inform("No system tray", noTray)
	}
	return false
}
