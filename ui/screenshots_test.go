package ui

import (
	"context"
	"fmt"
	"image/color"
	"strconv"
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
func (f *fakeAttempt) TimedOut() error     { return problem.New(problem.KindTimeout, "Time is up.", nil) }
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
		{"product-question", func(s *shell) {
			s.showProductQuestion(false, defaultProduct(), s.showWelcome, func(connections.Product) {})
		}},
		{"details", func(s *shell) {
			s.showDetails(defaultProduct(), connections.Settings{ClientID: "jwEFtDj4ztUBqHtP", ClientSecret: "not-a-real-secret", RedirectURI: "http://127.0.0.1:8765/callback"}, s.showWelcome, func(*details) {}, false)
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
		// The details with Advanced open, for an integration paced at 60 requests a minute.
		{"details-advanced", func(s *shell) {
			d := newDetails(s, connections.Settings{ClientID: "jwEFtDj4ztUBqHtP", ClientSecret: "not-a-real-secret", RedirectURI: "http://127.0.0.1:8765/callback", RequestsPerMinute: 60}, s.showWelcome, func(*details) {})
			d.withSaveLabel()
			d.advanced.accordion.Open(0)
			s.show(d.content())
		}},
		// A company's pane saying the pace it is used with.
		{"company-pane", func(s *shell) {
			paced := harbour
			paced.Settings = connections.AdvancedValues(connections.Settings{RequestsPerMinute: 60})
			d := newDashboard(s, nil, []connections.CompanyStatus{paced, manly})
			s.show(d.content())
			d.list.move(d.shownIndex(paced.ID))
		}},
	}
	// The dashboard of a support desk, in both variants of the theme: 120 companies, three
	// revoked, and the same with the "need reconnecting" filter on.
	for _, variant := range []struct {
		name string
		v    fyne.ThemeVariant
	}{{"dark", theme.VariantDark}, {"light", theme.VariantLight}} {
		screens = append(screens, struct {
			name string
			show func(s *shell)
		}{"dashboard-" + variant.name, func(s *shell) {
			test.ApplyTheme(t, variantTheme{theme.DefaultTheme(), variant.v})
			s.show(newDashboard(s, nil, supportDesk()).content())
		}}, struct {
			name string
			show func(s *shell)
		}{"dashboard-filtered-" + variant.name, func(s *shell) {
			test.ApplyTheme(t, variantTheme{theme.DefaultTheme(), variant.v})
			d := newDashboard(s, nil, supportDesk())
			s.show(d.content())
			d.setFilter(connections.StatusNeedsReconnect)
		}})
	}
	// The Connected screen of each product in practice mode, as the demo plays it: the same
	// demo company, its places in the product's words.
	for _, p := range connections.Products() {
		screens = append(screens, struct {
			name string
			show func(s *shell)
		}{"connected-" + p.ID, func(s *shell) {
			s.practice = &practiceMode{product: p} // the banner; no server to stop afterwards
			s.show(newConnected(s, &connections.Connected{Company: connections.Company{ID: 1001, Name: "Harbour Burgers Pty Ltd", Product: p, Sites: sites}}).content())
			s.practice = nil
		}})
	}
	// A desk of several products: the Product column and the filter beside the search.
	screens = append(screens, struct {
		name string
		show func(s *shell)
	}{"dashboard-products", func(s *shell) {
		s.show(newDashboard(s, nil, mixedDesk()).content())
	}})
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
			test.ApplyTheme(t, theme.DefaultTheme())
			h.ui(func() {
				size := fyne.NewSize(760, 540)
				switch sc.name {
				case "details-advanced":
					size.Height = 640 // the whole of Advanced in view
				case "dashboard-products":
					size.Width = 960 // a desk of several products has a column more
				}
				h.win.Resize(size)
				sc.show(h.shell)
				// A second layout, as the next frame would do: wrapped words know their
				// width only after the first.
				h.win.Resize(size.AddWidthHeight(1, 0))
				h.win.Resize(size)
				testenv.SavePNG(t, sc.name+".png", h.win.Canvas().Capture())
			})
		})
	}
}

// variantTheme is a theme held to one variant, light or dark, whatever the system's.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// supportDesk is 120 companies as a support desk sees them: all healthy but three whose
// merchants revoked access, checked a few minutes ago, tokens at various ages.
func supportDesk() []connections.CompanyStatus {
	first := []string{"Harbour", "Bondi", "Manly", "Paddington", "Newtown", "Surry Hills", "Glebe", "Balmain", "Coogee", "Cronulla", "Mosman", "Redfern"}
	second := []string{"Burgers", "Bean Co.", "Noodle Bar", "Bakehouse", "Pizzeria", "Dumplings", "Gelato", "Oyster Bar", "Taqueria", "Ramen"}
	broken := map[int]bool{17: true, 64: true, 101: true}
	var out []connections.CompanyStatus
	for i := range 120 {
		name := first[i%len(first)] + " " + second[(i/len(first)+i)%len(second)]
		if i >= len(first)*len(second)/2 {
			name += " " + []string{"Pty Ltd", "& Co", "Express", "Kitchen"}[i%4]
		}
		cs := connections.CompanyStatus{
			ID: int64(20100 + i*7), Name: name, Status: connections.StatusHealthy,
			Detail:          fmt.Sprintf("Lightspeed answered in %d ms.", 60+(i*13)%140),
			AccessExpiresAt: ahead(time.Duration(5+(i*17)%55) * time.Minute),
			LastRefreshAt:   ago(time.Duration(5+(i*7)%50) * time.Minute),
			LastCheckAt:     ago(time.Duration(1+i%3) * time.Minute),
			Settings:        connections.AdvancedValues(connections.Settings{}),
		}
		for j := range 1 + i%4 {
			cs.Sites = append(cs.Sites, connections.Site{ID: int64(i*10 + j), Name: fmt.Sprintf("%s %d", first[(i+j)%len(first)], j+1)})
		}
		if broken[i] {
			cs.Status, cs.Detail, cs.AccessExpiresAt = connections.StatusNeedsReconnect, revokedDetail, ago(3*time.Hour)
		}
		out = append(out, cs)
	}
	return out
}

// mixedDesk is supportDesk's first 40 companies looked after across the four products.
func mixedDesk() []connections.CompanyStatus {
	ps := connections.Products()
	out := supportDesk()[:40]
	for i := range out {
		p := ps[0]
		switch {
		case i%5 == 1:
			p = ps[2]
		case i%7 == 3:
			p = ps[1]
		case i%11 == 4:
			p = ps[3]
		}
		out[i].Product, out[i].ExternalID = p, strconv.FormatInt(out[i].ID, 10)
		if p.ID != connections.DefaultProductID {
			out[i].ID = -out[i].ID // the core's local IDs for other products are negative
		}
		if p.ID == "x-series" { // a store's UUID
			out[i].ExternalID = fmt.Sprintf("0a6f6e36-8b0f-41ee-9%03x-%012x", i, 20100+i*7)
		}
	}
	return out
}
