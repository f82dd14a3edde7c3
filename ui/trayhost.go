package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Finding the system tray: whether there is one to put the icon in.

// trayFinder returns the system tray the app can put an icon in, or nil when there is none.
type trayFinder func(fyne.App) desktop.App

// systemTray is the real trayFinder: the app must be a desktop app, and on Linux and the BSDs
// a tray host (a StatusNotifierWatcher) must be on the session bus, or an icon put there
// would be seen by no one.
func systemTray(a fyne.App) desktop.App {
	host, ok := a.(desktop.App)
	if !ok || !trayHostRunning() {
		return nil
	}
	return host
}
