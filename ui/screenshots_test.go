package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// fakeAttempt is an attempt that waits until it is closed: enough to show the waiting
// screen without a server.
type fakeAttempt struct {
	deadline time.Time
	closed   chan struct{}
}

func (f *fakeAttempt) AuthURL() string     { return "http://127.0.0.1:1/authorize" }
func (f *fakeAttempt) Catchable() bool     { return true }
func (f *fakeAttempt) Deadline() time.Time { return f.deadline }
func (f *fakeAttempt) Close() {
	select {
	case <-f.closed:
	default:
		close(f.closed)
	}
}

func (f *fakeAttempt) Wait(ctx context.Context) (*connections.Connected, error) {
	select {
	case <-ctx.Done():
	case <-f.closed:
	}
	return nil, problem.New(problem.KindCanceled, "Cancelled.", nil)
}

func (f *fakeAttempt) Paste(ctx context.Context, _ string) (*connections.Connected, error) {
	return f.Wait(ctx)
}

// TestScreenshots saves a picture of each screen (Fyne's default theme, dark in the test app)
// into the test kit's screenshots directory, for the README (`make screenshots` sets it):
//
//	LSC_SCREENSHOTS_DIR=docs/screenshots go test -tags migrated_fynedo -run TestScreenshots ./ui/
func TestScreenshots(t *testing.T) {
	if testenv.ScreenshotsDir(t) == "" {
		t.Skip("set " + testenv.ScreenshotsVar + " to save the screenshots")
	}
	sites := []connections.Site{{ID: 1, Name: "Parramatta"}, {ID: 2, Name: "Manly"}, {ID: 3, Name: "Bondi"}}
	bondi := demoStatus(connections.StatusNeedsReconnect, "Lightspeed no longer accepts this connection. Reconnect to restore it; your other companies are unaffected.")
	bondi.ID, bondi.Name, bondi.Sites, bondi.AccessExpiresAt = 1002, "Bondi Bean Co.", sites[2:], ago(3*time.Hour)
	harbour := demoStatus(connections.StatusHealthy, "Lightspeed answered in 120 ms.")
	manly := demoStatus(connections.StatusUnreachable, "Couldn't reach Lightspeed.")
	manly.ID, manly.Name, manly.Sites = 1003, "Manly Noodle Bar", sites[1:2]

	screens := []struct {
		name string
		show func(s *shell)
	}{
		{"welcome", func(s *shell) { s.showWelcome() }},
		{"details", func(s *shell) {
			s.showDetails(connections.Settings{ClientID: "jwEFtDj4ztUBqHtP", ClientSecret: "not-a-real-secret", RedirectURI: "http://127.0.0.1:8765/callback"}, s.showWelcome, func(*details) {}, false)
		}},
		{"waiting", func(s *shell) {
			w := newWaiting(s, connections.ConnectOptions{}, s.showWelcome)
			s.show(w.content())
			w.ready(&fakeAttempt{deadline: fixedNow.Add(4*time.Minute + 12*time.Second), closed: make(chan struct{})})
		}},
		{"connected", func(s *shell) {
			s.show(newConnected(s, &connections.Connected{Company: connections.Company{ID: 1001, Name: "Harbour Burgers Pty Ltd", Sites: sites}}).content())
		}},
		{"dashboard", func(s *shell) {
			s.show(newDashboard(s, nil, []connections.CompanyStatus{harbour, bondi, manly}).content())
		}},
	}
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
			test.ApplyTheme(t, theme.DefaultTheme())
			h.ui(func() {
				h.win.Resize(fyne.NewSize(760, 540))
				sc.show(h.shell)
				testenv.SavePNG(t, sc.name+".png", h.win.Canvas().Capture())
			})
		})
	}
}
