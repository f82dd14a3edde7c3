//go:build !(linux || freebsd || openbsd || netbsd)

package ui

// trayHostRunning reports whether a tray host runs: Windows (the notification area) and macOS
// (the menu bar) always have one.
func trayHostRunning() bool { return true }
