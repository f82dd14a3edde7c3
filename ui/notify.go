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

// reconnectNotification tells, once, that a company turned needs-reconnect: which one, and
// what to do, in plain words.
func reconnectNotification(name string) *fyne.Notification {
	return fyne.NewNotification(name+" needs reconnecting",
		"Lightspeed no longer accepts the connection to "+name+". Open Lightspeed Connect and reconnect it; your other companies are unaffected.")
}

// notifyTransitions sends a notification when a company turns needs-reconnect: only on the
// change, never again while it stays so, and not for what was already so when first seen.
func (s *shell) notifyTransitions(statuses []connections.CompanyStatus) {
	for _, cs := range statuses {
		prev, seen := s.known[cs.ID]
		if seen && prev != connections.StatusNeedsReconnect && cs.Status == connections.StatusNeedsReconnect {
			s.app.SendNotification(reconnectNotification(cs.Name))
		}
		s.known[cs.ID] = cs.Status
	}
}

// noticeStatuses sends a notification when a company turns needs-reconnect, and wakes the
// tray so it shows the news too.
func (s *shell) noticeStatuses(statuses []connections.CompanyStatus) {
	s.notifyTransitions(statuses)
	if s.guardian != nil {
		s.guardian.poke()
	}
}
