package ui

import (
	"fyne.io/fyne/v2"

	"github.com/lightspeedconnect/lightspeed-connect/assets"
	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// The tray's health: an icon per overall health, so the colour follows the core's summary
// (connections.Summarise), whose line the menu's first item says: the icon never speaks alone.

// trayIcons are the icon variants, one per overall health.
var trayIcons = map[connections.Health]fyne.Resource{
	connections.HealthNone:      fyne.NewStaticResource("tray-none.png", assets.TrayNone),
	connections.HealthHealthy:   fyne.NewStaticResource("tray-healthy.png", assets.TrayHealthy),
	connections.HealthOffline:   fyne.NewStaticResource("tray-offline.png", assets.TrayOffline),
	connections.HealthAttention: fyne.NewStaticResource("tray-attention.png", assets.TrayAttention),
}

// unreadable is the tray's summary when the statuses couldn't be read.
var unreadable = connections.Summary{Health: connections.HealthAttention, Line: "Couldn't read your companies — open the window"}
