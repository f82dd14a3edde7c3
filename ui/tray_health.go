package ui

import (
	"fmt"
	"unicode/utf8"

	"fyne.io/fyne/v2"

	"github.com/lightspeedconnect/lightspeed-connect/assets"
	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// The tray's health summary: the icon and the sentence that sum up every company.

// health is the overall health of the connected companies, as the tray icon shows it.
type health int

const (
	healthNone      health = iota // nothing connected, or nothing checked yet
	healthHealthy                 // every company answered
	healthOffline                 // Lightspeed couldn't be reached for some
	healthAttention               // some need reconnecting or the integration's details
)

// trayIcons are the icon variants, one per health.
var trayIcons = map[health]fyne.Resource{
	healthNone:      fyne.NewStaticResource("tray-none.png", assets.TrayNone),
	healthHealthy:   fyne.NewStaticResource("tray-healthy.png", assets.TrayHealthy),
	healthOffline:   fyne.NewStaticResource("tray-offline.png", assets.TrayOffline),
	healthAttention: fyne.NewStaticResource("tray-attention.png", assets.TrayAttention),
}

// summary is the overall health and the sentence that says it: the icon never speaks alone.
// filter is the dashboard's filter that shows the companies the sentence is about, "" for
// all of them.
type summary struct {
	health health
	line   string
	filter connections.Status
}

// summarise sums the statuses up for the tray: whatever needs attention outranks offline,
// which outranks not checked. A single company is named; several are counted.
func summarise(statuses []connections.CompanyStatus) summary {
	var attention, offline, unchecked, handedOff []connections.CompanyStatus
	for _, cs := range statuses {
		switch cs.Status {
		case connections.StatusHealthy:
		case connections.StatusHandedOff: // the integration refreshes it: nothing to do here
			handedOff = append(handedOff, cs)
		case connections.StatusUnreachable:
			offline = append(offline, cs)
		case connections.StatusUnknown:
			unchecked = append(unchecked, cs)
		default:
			attention = append(attention, cs)
		}
	}
	n := len(statuses)
	switch {
	case n == 0:
		return summary{healthNone, "No companies connected", ""}
	case len(attention) == 1:
		return summary{healthAttention, shortName(attention[0].Name) + " needs attention", attention[0].Status}
	case len(attention) > 1:
		return summary{healthAttention, fmt.Sprintf("%d companies need attention", len(attention)), mostUrgent(attention)}
	case len(offline) == n:
		return summary{healthOffline, "Offline: couldn't reach Lightspeed", connections.StatusUnreachable}
	case len(offline) == 1:
		return summary{healthOffline, "Couldn't reach Lightspeed for " + shortName(offline[0].Name), connections.StatusUnreachable}
	case len(offline) > 1:
		return summary{healthOffline, fmt.Sprintf("Couldn't reach Lightspeed for %d companies", len(offline)), connections.StatusUnreachable}
	case len(unchecked) == 1:
		return summary{healthNone, shortName(unchecked[0].Name) + " not checked yet", connections.StatusUnknown}
	case len(unchecked) > 1:
		return summary{healthNone, fmt.Sprintf("%d companies not checked yet", len(unchecked)), connections.StatusUnknown}
	case len(handedOff) > 0:
		return summary{healthHealthy, fmt.Sprintf("%d healthy, %d handed off to the integration", n-len(handedOff), len(handedOff)), ""}
	case n == 1:
		return summary{healthHealthy, shortName(statuses[0].Name) + " is healthy", ""}
	default:
		return summary{healthHealthy, fmt.Sprintf("All %d companies healthy", n), ""}
	}
}

// mostUrgent is the status to filter on when several companies need attention: the one whose
// fix matters most (reconnecting first, then the integration's credentials), else the first.
func mostUrgent(attention []connections.CompanyStatus) connections.Status {
	for _, want := range []connections.Status{connections.StatusNeedsReconnect, connections.StatusCredentialsInvalid} {
		for _, cs := range attention {
			if cs.Status == want {
				return want
			}
		}
	}
	return attention[0].Status
}

// shortName keeps a menu line short: company names can be long.
func shortName(name string) string {
	const most = 40
	if utf8.RuneCountInString(name) <= most {
		return name
	}
	r := []rune(name)
	return string(r[:most-1]) + "…"
}
