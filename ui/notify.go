package ui

import (
	"fyne.io/fyne/v2"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// Desktop notifications: what the person is told while the window may be hidden.

// notify sends a desktop notification.
func (s *shell) notify(title, body string) {
	s.app.SendNotification(fyne.NewNotification(title, body))
}

// reconnectNotification tells, once, that a company turned needs-reconnect, in the core's
// words: which one, what went wrong and what to do.
func reconnectNotification(cs connections.CompanyStatus) *fyne.Notification {
	return fyne.NewNotification(cs.Alert())
}

// notifyTransitions sends a notification when a company turns needs-reconnect: only on the
// change, never again while it stays so, and not for what was already so when first seen.
func (s *shell) notifyTransitions(statuses []connections.CompanyStatus) {
	for _, cs := range statuses {
		prev, seen := s.known[cs.ID]
		if seen && prev != connections.StatusNeedsReconnect && cs.Status == connections.StatusNeedsReconnect {
			s.app.SendNotification(reconnectNotification(cs))
		}
		s.known[cs.ID] = cs.Status
	}
}

// noticeStatuses sends a notification when a company turns needs-reconnect, and wakes the
// tray so it shows the news too.
func (s *shell) noticeStatuses(statuses []connections.CompanyStatus) {
	s.notifyTransitions(statuses)
	if s.trayIcon != nil {
		s.trayIcon.poke()
	}
}
