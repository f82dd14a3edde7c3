package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// fixedNow is the clock of the golden files.
var fixedNow = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

func ago(d time.Duration) *time.Time { t := fixedNow.Add(-d); return &t }

func ahead(d time.Duration) *time.Time { t := fixedNow.Add(d); return &t }

// demoStatus is a company in the given status, as the core would report it.
func demoStatus(st connections.Status, detail string) connections.CompanyStatus {
	return connections.CompanyStatus{
		ID: 1001, Name: "Harbour Burgers Pty Ltd", Status: st, Detail: detail,
		Sites:           []connections.Site{{ID: 1, Name: "Parramatta"}, {ID: 2, Name: "Manly"}, {ID: 3, Name: "Bondi"}},
		AccessExpiresAt: ahead(42 * time.Minute), LastRefreshAt: ago(18 * time.Minute), LastCheckAt: ago(2 * time.Minute),
	}
}

// TestDashboardRendersEveryStatus renders one company in each status against a golden
// markup file: the word, the theme colour, the fix and its button.
func TestDashboardRendersEveryStatus(t *testing.T) {
	unchecked := demoStatus(connections.StatusUnknown, "Not checked yet.")
	unchecked.LastCheckAt = nil
	cases := []struct {
		golden string
		status connections.CompanyStatus
		busy   string
		want   []string
	}{
		{"dashboard_healthy.xml", demoStatus(connections.StatusHealthy, "Lightspeed answered in 120 ms."), "", []string{"● Healthy", "token 42 min left", "checked 2 min ago · refreshed 18 min ago"}},
		{"dashboard_refreshing.xml", demoStatus(connections.StatusHealthy, ""), "Refreshing", []string{"Refreshing…"}},
		{"dashboard_needs_reconnect.xml", demoStatus(connections.StatusNeedsReconnect, "Lightspeed no longer accepts this connection. Reconnect to restore it; your other companies are unaffected."), "", []string{"● Needs reconnect", "Reconnect to restore it"}},
		{"dashboard_credentials_invalid.xml", demoStatus(connections.StatusCredentialsInvalid, "Lightspeed didn't accept the Client ID and Secret. Copy them again from the integration's settings."), "", []string{"● Credentials invalid", "Integration settings"}},
		{"dashboard_offline.xml", demoStatus(connections.StatusUnreachable, "Couldn't reach Lightspeed."), "", []string{"● Offline", offlineSentence}},
		{"dashboard_not_checked.xml", unchecked, "", []string{"● Not checked", "checked not yet"}},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
			h.ui(func() {
				d := newDashboard(h.shell, nil, []connections.CompanyStatus{tc.status})
				if tc.busy != "" {
					d.busy[tc.status.ID] = tc.busy
				}
				h.shell.show(d.content())
				for _, want := range tc.want {
					if !h.has(want) {
						t.Errorf("the row does not say %q: %q", want, h.texts())
					}
				}
				test.AssertRendersToMarkup(t, tc.golden, h.win.Canvas())
			})
		})
	}
}

// TestNotifiesWhenACompanyTurnsNeedsReconnect: the first sighting is quiet, the change is
// told once.
func TestNotifiesWhenACompanyTurnsNeedsReconnect(t *testing.T) {
	h := newHarness(t, deps{})
	healthy := demoStatus(connections.StatusHealthy, "")
	broken := demoStatus(connections.StatusNeedsReconnect, "Reconnect it.")
	notice := func(cs connections.CompanyStatus) func() {
		return func() { h.ui(func() { h.shell.noticeStatuses([]connections.CompanyStatus{cs}) }) }
	}
	test.AssertNotificationSent(t, nil, notice(healthy))
	test.AssertNotificationSent(t, reconnectNotification("Harbour Burgers Pty Ltd"), notice(broken))
	test.AssertNotificationSent(t, nil, notice(broken))
}
