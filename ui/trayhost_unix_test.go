//go:build linux || freebsd || openbsd || netbsd

package ui

import (
	"testing"

	"github.com/godbus/dbus/v5"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestTrayHostDetection asks the real session bus: no tray host in the test session, one as
// soon as something owns the StatusNotifierWatcher name, as a desktop panel does.
func TestTrayHostDetection(t *testing.T) {
	testenv.Need(t)
	if trayHostRunning() {
		t.Fatal("found a tray host in the throwaway test session, which has none")
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if reply, err := conn.RequestName(statusNotifierWatcher, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("could not own %s: %v %v", statusNotifierWatcher, reply, err)
	}
	if !trayHostRunning() {
		t.Error("did not find the tray host on the session bus")
	}
	if _, err := conn.ReleaseName(statusNotifierWatcher); err != nil {
		t.Fatal(err)
	}
	if trayHostRunning() {
		t.Error("still finds a tray host after it left the bus")
	}
}
