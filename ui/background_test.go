package ui

import (
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// TestStartInBackgroundWithoutATray: a background start with no tray says so, in the window
// too, and leaves the window to be shown.
func TestStartInBackgroundWithoutATray(t *testing.T) {
	h := newHarness(t, deps{})
	var inTray bool
	h.ui(func() { inTray = h.shell.startInBackground() })
	if inTray {
		t.Fatal("started in a tray the test driver does not have")
	}
	h.waitText("No system tray was found on this desktop")
}

// TestStartInBackgroundWithATray: with a tray the window stays hidden and the tray reads the
// companies.
func TestStartInBackgroundWithATray(t *testing.T) {
	h, tray := trayHarness(t, deps{})
	var inTray bool
	h.ui(func() { inTray = h.shell.startInBackground() })
	if !inTray {
		t.Fatal("did not start in the tray")
	}
	h.waitStatus(tray, "No companies connected", connections.HealthNone)
}
