package assets

import (
	_ "embed"
)

// The system tray icons, one per overall health (64×64 PNG, drawn by trayicons_test.go): the
// app's bolt with a badge whose shape says the health, so it never rests on colour alone.
var (
	// TrayHealthy: every company answered (a tick).
	//
	//go:embed tray-healthy.png
	TrayHealthy []byte
	// TrayAttention: a company needs reconnecting or the integration's details (an
	// exclamation mark).
	//
	//go:embed tray-attention.png
	TrayAttention []byte
	// TrayOffline: Lightspeed couldn't be reached (a bar).
	//
	//go:embed tray-offline.png
	TrayOffline []byte
	// TrayNone: nothing connected or nothing checked yet (a grey outline, no badge).
	//
	//go:embed tray-none.png
	TrayNone []byte
)

// AutostartDesktop is the XDG autostart entry (autostart/lightspeed-connect.desktop) that
// starts the app in the tray at sign-in on Linux; the app writes it with its own path in Exec.
//
//go:embed autostart/lightspeed-connect.desktop
var AutostartDesktop []byte
