package ui

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestAdvancedHasEverySettingClosedByDefault goes through the core's list of advanced
// settings: the details screen's Advanced part is closed at first, and once opened it has a
// row for each setting with the core's sentence saying when to change it, so a setting added
// to the list shows in the window without being written here.
func TestAdvancedHasEverySettingClosedByDefault(t *testing.T) {
	h, d := detailsScreen(t)
	h.ui(func() {
		if d.advanced.accordion.Items[0].Open {
			t.Fatal("Advanced is open before the person opens it")
		}
		for _, st := range connections.AdvancedSettings() {
			if h.has(st.When) {
				t.Errorf("closed, Advanced still shows %q", st.When)
			}
		}
		d.advanced.accordion.Open(0)
		for _, st := range connections.AdvancedSettings() {
			if h.label(st.When) == nil || h.label(st.Label) == nil {
				t.Errorf("Advanced has no row for %s saying %q: %q", st.Label, st.When, h.texts())
			}
		}
		if len(d.advanced.rows) != len(connections.AdvancedSettings()) {
			t.Errorf("%d rows for %d settings", len(d.advanced.rows), len(connections.AdvancedSettings()))
		}
	})
}

// TestAdvancedRefusesAPaceOutOfBounds: a pace out of bounds is said under its field, Next
// opens Advanced and focuses it, and nothing is saved.
func TestAdvancedRefusesAPaceOutOfBounds(t *testing.T) {
	h := newHarness(t, deps{})
	var d *details
	saved := 0
	h.ui(func() {
		d = newDetails(h.shell, connections.Settings{ClientID: "abc", ClientSecret: "s3cret"}, h.shell.showWelcome, func(*details) { saved++ })
		h.shell.show(d.content())
		d.advanced.accordion.Open(0)
		pace := d.advanced.rows[0]
		pace.number.SetText("")
		test.Type(pace.number, "5000")
		if !pace.msg.isError() || !h.has("between 1 and 1000 requests a minute") {
			t.Fatalf("a pace of 5000 says %q", pace.msg.label.Text)
		}
		d.advanced.accordion.Close(0)
		test.Tap(d.next)
		if !d.advanced.accordion.Items[0].Open || h.win.Canvas().Focused() != pace.number {
			t.Fatalf("Next on a bad pace: Advanced open %t, focus %T", d.advanced.accordion.Items[0].Open, h.win.Canvas().Focused())
		}
	})
	if saved != 0 {
		t.Fatal("a pace out of bounds was saved")
	}
}

// TestAdvancedSettingsBothWays, on a real state file: a pace of 60 saved the way
// `connect --requests-per-minute 60` saves it shows as 60 in the window's Advanced and in
// the company's pane; changed in the window to 90 with PKCE off and saved, the company's
// status (what `status --json` prints) says 90 and PKCE off.
func TestAdvancedSettingsBothWays(t *testing.T) {
	testenv.Need(t)
	tv := testenv.NewVault(t)
	opts := connections.Options{Dir: tv.Dir, Service: tv.Service}
	connectMany(t, opts, connections.PracticeConfig{}, 1)
	saveSetting(t, opts, "requests_per_minute", 60)

	h := newHarness(t, deps{options: opts})
	h.ui(h.shell.start)
	h.waitText("API pace: 60 requests a minute · PKCE: on (the default)")
	h.ui(func() { h.shell.loadSettings(defaultProduct()) })
	h.waitText("Enter your integration's details")
	h.ui(func() {
		pace := advancedEntry(h)
		if pace == nil || pace.Text != "60" {
			t.Fatalf("the window's pace is %q, want 60", h.texts())
		}
		pace.SetText("90")
		pkce := first(h.roots(), func(c *tick) bool { return c.Text == "On" })
		if pkce == nil || !pkce.Checked {
			t.Fatal("PKCE is not shown on")
		}
		pkce.SetChecked(false)
	})
	h.tap("Save")
	h.waitText("API pace: 90 requests a minute · PKCE: off")

	core, err := connections.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	statuses, err := core.Statuses(context.Background())
	if err != nil || len(statuses) != 1 {
		t.Fatalf("statuses: %v, %v", statuses, err)
	}
	out, err := json.Marshal(statuses)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"settings":{"pkce":false,"requests_per_minute":90}`) {
		t.Fatalf("status --json would print %s", out)
	}
}

// saveSetting saves one advanced setting on the saved integration, as connect's flag does.
func saveSetting(t *testing.T, opts connections.Options, key string, v int) {
	t.Helper()
	core, err := connections.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := core.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range connections.AdvancedSettings() {
		if st.Key == key {
			if err := st.Set(&s, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := core.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
}

// advancedEntry is the pace's field in the details' Advanced part (open or not); inside h.ui.
func advancedEntry(h *harness) *widget.Entry {
	acc := first(h.roots(), func(*widget.Accordion) bool { return true })
	if acc == nil {
		return nil
	}
	acc.Open(0)
	return first(h.roots(), func(e *widget.Entry) bool { _, err := strconv.Atoi(e.Text); return err == nil })
}
