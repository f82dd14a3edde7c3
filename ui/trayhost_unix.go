//go:build linux || freebsd || openbsd || netbsd

package ui

import (
	"context"
	"slices"
	"time"

	"github.com/godbus/dbus/v5"
)

// statusNotifierWatcher is the D-Bus name of the tray host on Linux and the BSDs: the panel
// (GNOME with the AppIndicator extension, KDE Plasma, Xfce, …) that shows status icons.
const statusNotifierWatcher = "org.kde.StatusNotifierWatcher"

// trayHostRunning reports whether a tray host is on the session bus, or can be started by it.
// It asks the bus daemon only, within a second; no bus means no tray.
func trayHostRunning() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	bus := conn.BusObject()
	var owned bool
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, statusNotifierWatcher).Store(&owned); err == nil && owned {
		return true
	}
	var activatable []string
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&activatable); err != nil {
		return false
	}
	return slices.Contains(activatable, statusNotifierWatcher)
}
