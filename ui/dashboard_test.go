package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
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
		Settings: connections.AdvancedValues(connections.Settings{}),
	}
}

const revokedDetail = "Lightspeed no longer accepts this connection. Reconnect to restore it; your other companies are unaffected."

// manyStatuses are n companies, "Model Company 000" (ID 5000) onwards, healthy except those
// at the given indexes, which need reconnecting. They come in the state file's order, which
// is neither the order of names nor of health.
func manyStatuses(n int, broken ...int) []connections.CompanyStatus {
	out := make([]connections.CompanyStatus, 0, n)
	for i := range n {
		cs := demoStatus(connections.StatusHealthy, "Lightspeed answered in 80 ms.")
		cs.ID, cs.Name = int64(5000+i), fmt.Sprintf("Model Company %03d", i)
		cs.Sites = []connections.Site{{ID: int64(10 * i), Name: fmt.Sprintf("Store %d North", i)}, {ID: int64(10*i + 1), Name: fmt.Sprintf("Store %d South", i)}}
		if slices.Contains(broken, i) {
			cs.Status, cs.Detail, cs.AccessExpiresAt = connections.StatusNeedsReconnect, revokedDetail, nil
		}
		out = append(out, cs)
	}
	// The state file keeps the order companies were connected in: shuffle it determinedly.
	for i := range out {
		j := (i*37 + 11) % len(out)
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// showStatuses shows a dashboard of statuses (no core: nothing is sent anywhere).
func showStatuses(h *harness, statuses []connections.CompanyStatus) *dashboard {
	var d *dashboard
	h.ui(func() {
		d = newDashboard(h.shell, nil, statuses)
		h.shell.show(d.content())
	})
	return d
}

// shownNames are the companies in the list's order; call inside h.ui.
func shownNames(d *dashboard) []string {
	var names []string
	for _, i := range d.shown {
		names = append(names, d.statuses[i].Name)
	}
	return names
}

// TestDashboardRendersEveryStatus renders one company in each status against a golden
// markup file: the word, the theme colour, the details with the fix and its button.
func TestDashboardRendersEveryStatus(t *testing.T) {
	unchecked := demoStatus(connections.StatusUnknown, "Not checked yet.")
	unchecked.LastCheckAt = nil
	cases := []struct {
		golden string
		status connections.CompanyStatus
		busy   string
		want   []string
	}{
		{"dashboard_healthy.xml", demoStatus(connections.StatusHealthy, "Lightspeed answered in 120 ms."), "", []string{"● Healthy", "token 42 min left", "checked 2 min ago · refreshed 18 min ago", "1 healthy", "0 need reconnecting", "0 offline"}},
		{"dashboard_refreshing.xml", demoStatus(connections.StatusHealthy, ""), "Refreshing", []string{"Refreshing…"}},
		{"dashboard_needs_reconnect.xml", demoStatus(connections.StatusNeedsReconnect, revokedDetail), "", []string{"● Needs reconnect", "Reconnect to restore it", "1 needs reconnecting"}},
		{"dashboard_credentials_invalid.xml", demoStatus(connections.StatusCredentialsInvalid, "Lightspeed didn't accept the Client ID and Secret. Copy them again from the integration's settings."), "", []string{"● Credentials invalid", "Integration settings", "1 credentials invalid"}},
		{"dashboard_offline.xml", demoStatus(connections.StatusUnreachable, "Couldn't reach Lightspeed."), "", []string{"● Offline", offlineSentence, "1 offline"}},
		{"dashboard_not_checked.xml", unchecked, "", []string{"● Not checked", "checked not yet", "1 not checked"}},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
			h.ui(func() {
				d := newDashboard(h.shell, nil, []connections.CompanyStatus{tc.status})
				if tc.busy != "" {
					d.setBusy(tc.busy, tc.status.ID)
				}
				h.shell.show(d.content())
				for _, want := range tc.want {
					if !h.has(want) {
						t.Errorf("the dashboard does not say %q: %q", want, h.texts())
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
	test.AssertNotificationSent(t, &fyne.Notification{Title: "Harbour Burgers Pty Ltd needs reconnecting", Content: "Reconnect it."}, notice(broken))
	test.AssertNotificationSent(t, nil, notice(broken))
}

// TestDashboardShowsTheBrokenFirstOnTheFirstScreen: 120 companies, 3 revoked (far apart in
// the state file and in names): at the window's size, before any scrolling or typing, the
// three are the list's first rows, inside the window, and the summary counts them.
func TestDashboardShowsTheBrokenFirstOnTheFirstScreen(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	d := showStatuses(h, manyStatuses(120, 50, 90, 119))
	h.ui(func() {
		if got := shownNames(d)[:3]; !slices.Equal(got, []string{"Model Company 050", "Model Company 090", "Model Company 119"}) {
			t.Fatalf("the first rows are %q", got)
		}
		for _, want := range []string{"117 healthy", "3 need reconnecting", "0 offline"} {
			if !h.has(want) {
				t.Errorf("the summary does not say %q: %q", want, h.texts())
			}
		}
		if h.has("not checked") {
			t.Errorf("the summary counts a status no company has: %q", h.texts())
		}
		window := h.win.Canvas().Size()
		list := d.list.list
		listTop := fyne.CurrentApp().Driver().AbsolutePositionForObject(list).Y
		listBottom := listTop + list.Size().Height
		if listBottom > window.Height {
			t.Fatalf("the list ends at %v, below the window's %v", listBottom, window.Height)
		}
		for _, name := range []string{"Model Company 050", "Model Company 090", "Model Company 119"} {
			l := first([]fyne.CanvasObject{list}, func(l *widget.Label) bool { return l.Text == name })
			if l == nil {
				t.Fatalf("%s is not drawn on the first screen", name)
			}
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(l)
			if pos.Y < listTop || pos.Y+l.Size().Height > listBottom {
				t.Errorf("%s is drawn at y=%v..%v, outside the list's visible %v..%v", name, pos.Y, pos.Y+l.Size().Height, listTop, listBottom)
			}
		}
	})
}

// TestDashboardOrdersAttentionFirstThenName: reconnecting, then the credentials, then
// offline, then not checked, then healthy, each by name (case aside), whatever the state
// file's order (connections.Compare); a fresh result moves its company to its place and the
// selection follows it.
func TestDashboardOrdersAttentionFirstThenName(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	mk := func(id int64, name string, st connections.Status) connections.CompanyStatus {
		cs := demoStatus(st, "")
		cs.ID, cs.Name = id, name
		return cs
	}
	d := showStatuses(h, []connections.CompanyStatus{
		mk(1, "zeta", connections.StatusHealthy),
		mk(2, "Alpha", connections.StatusHealthy),
		mk(3, "Omega", connections.StatusUnreachable),
		mk(4, "beta", connections.StatusUnknown),
		mk(5, "Kappa", connections.StatusCredentialsInvalid),
		mk(6, "Delta", connections.StatusNeedsReconnect),
		mk(7, "alpha", connections.StatusHealthy),
	})
	h.ui(func() {
		want := []string{"Delta", "Kappa", "Omega", "beta", "Alpha", "alpha", "zeta"}
		if got := shownNames(d); !slices.Equal(got, want) {
			t.Fatalf("order %q, want %q", got, want)
		}
		d.selectID(1)
		d.setStatuses([]connections.CompanyStatus{mk(1, "zeta", connections.StatusNeedsReconnect)})
		want = []string{"Delta", "zeta", "Kappa", "Omega", "beta", "Alpha", "alpha"}
		if got := shownNames(d); !slices.Equal(got, want) {
			t.Fatalf("after zeta's check: order %q, want %q", got, want)
		}
		if row := d.shownIndex(d.selected); row != 1 || d.selected != 1 || d.list.selectedRow != 1 {
			t.Errorf("the selection is on row %d (company %d, list row %d), want zeta's new row 1", row, d.selected, d.list.selectedRow)
		}
	})
}

// desktopShortcutF is Ctrl+F (Cmd+F on macOS).
var desktopShortcutF = desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}

// TestDashboardSummaryFilters: each part of the summary shows only its companies and is
// highlighted while on; a second click shows every company again. Parts appear for the
// statuses that are present.
func TestDashboardSummaryFilters(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	statuses := manyStatuses(30, 3, 7)
	offline := demoStatus(connections.StatusUnreachable, "Couldn't reach Lightspeed.")
	offline.ID, offline.Name = 9001, "Offline Oysters"
	unchecked := demoStatus(connections.StatusUnknown, "Not checked yet.")
	unchecked.ID, unchecked.Name = 9002, "Unchecked Udon"
	d := showStatuses(h, append(statuses, offline, unchecked))
	for _, tc := range []struct {
		part string
		want []string
	}{
		{"2 need reconnecting", []string{"Model Company 003", "Model Company 007"}},
		{"1 offline", []string{"Offline Oysters"}},
		{"1 not checked", []string{"Unchecked Udon"}},
	} {
		h.tap(tc.part)
		h.ui(func() {
			if got := shownNames(d); !slices.Equal(got, tc.want) {
				t.Errorf("%s shows %q, want %q", tc.part, got, tc.want)
			}
			if b := h.button(tc.part); b.Importance != widget.HighImportance {
				t.Errorf("%s is not highlighted while on", tc.part)
			}
			if !slices.Contains(tc.want, d.details.name.Text) {
				t.Errorf("the details pane shows %q, which the filter hides", d.details.name.Text)
			}
		})
		h.tap(tc.part)
		h.ui(func() {
			if len(d.shown) != 32 {
				t.Errorf("a second click on %s shows %d companies, want all 32", tc.part, len(d.shown))
			}
		})
	}
	h.tap("28 healthy")
	h.ui(func() {
		if len(d.shown) != 28 || h.has("No company") {
			t.Errorf("healthy shows %d companies", len(d.shown))
		}
	})
}

// TestDashboardSearch finds a company by name, by ID and by a site's name, together with
// the filter, and says so when nothing matches.
func TestDashboardSearch(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	d := showStatuses(h, manyStatuses(120, 50, 90, 119))
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"company 07", []string{"Model Company 070", "Model Company 071", "Model Company 072", "Model Company 073", "Model Company 074", "Model Company 075", "Model Company 076", "Model Company 077", "Model Company 078", "Model Company 079"}},
		{"5042", []string{"Model Company 042"}},
		{"STORE 9 south", []string{"Model Company 009"}},
		{"  model company 119 ", []string{"Model Company 119"}},
	} {
		h.ui(func() { d.search.SetText(tc.query) })
		h.ui(func() {
			if got := shownNames(d); !slices.Equal(got, tc.want) {
				t.Errorf("search %q shows %q, want %q", tc.query, got, tc.want)
			}
			if d.details.name.Text != tc.want[0] {
				t.Errorf("search %q: the details show %q, want the first match", tc.query, d.details.name.Text)
			}
		})
	}
	h.ui(func() { d.search.SetText("store 9") })
	h.tap("3 need reconnecting")
	h.ui(func() {
		if got := shownNames(d); !slices.Equal(got, []string{"Model Company 090"}) {
			t.Errorf("search and filter together show %q", got)
		}
		d.search.SetText("no such thing")
		if len(d.shown) != 0 || !h.has("No company matches “no such thing”.") {
			t.Errorf("an unmatched search shows %q", h.texts())
		}
		test.Type(d.search, "")
		d.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if d.search.Text != "" || len(d.shown) != 3 {
			t.Errorf("Escape left the search %q showing %d", d.search.Text, len(d.shown))
		}
	})
}

// TestDashboardDetailsPane: selecting a row shows its details and actions below the list;
// a company that needs attention gets its fix as the primary button, a healthy one none.
func TestDashboardDetailsPane(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	d := showStatuses(h, manyStatuses(20, 4))
	h.ui(func() {
		if d.details.name.Text != "Model Company 004" {
			t.Fatalf("the pane opens on %q, want the first row", d.details.name.Text)
		}
		for _, want := range []string{revokedDetail, "Sites: Store 4 North · Store 4 South", "ID 5004 · token — · checked 2 min ago", "Check", "Refresh", "Export…", "Disconnect…"} {
			if !h.has(want) {
				t.Errorf("the pane does not say %q: %q", want, h.texts())
			}
		}
		fix := d.details.fixOf
		if fix == nil || fix.Text != "Reconnect" || fix.Importance != widget.HighImportance {
			t.Fatalf("the fix is %+v, want a primary Reconnect", fix)
		}
		if d.details.reconnect.Visible() {
			t.Error("Reconnect shows twice: as the fix and as an action")
		}
		d.list.list.Select(1) // as a click on the second row does
	})
	h.ui(func() {
		if d.details.name.Text != "Model Company 000" || d.details.fixOf != nil || !d.details.reconnect.Visible() {
			t.Errorf("after selecting a healthy company the pane shows %q with fix %v", d.details.name.Text, d.details.fixOf)
		}
		if !h.has("Lightspeed answered in 80 ms.") {
			t.Errorf("the pane lacks the last check's sentence: %q", h.texts())
		}
	})
}

// TestDashboardKeyboard: Ctrl+F goes to the search; Down and Enter go from it to the list;
// the arrows, Home and End move the selection; Space ticks; Enter applies the fix; Delete
// asks before disconnecting, and Keep keeps.
func TestDashboardKeyboard(t *testing.T) {
	testenv.Need(t)
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	statuses := manyStatuses(10)
	for i := range statuses {
		if statuses[i].ID == 5000 {
			statuses[i].Status, statuses[i].Name = connections.StatusCredentialsInvalid, "Aardvark Cafe"
		}
	}
	d := showStatuses(h, statuses)
	key := func(name fyne.KeyName) {
		h.ui(func() {
			if f := h.win.Canvas().Focused(); f != nil {
				f.TypedKey(&fyne.KeyEvent{Name: name})
				return
			}
			h.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name})
		})
	}
	selected := func() string {
		var name string
		h.ui(func() { name = d.details.name.Text })
		return name
	}
	h.ui(func() {
		h.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktopShortcutF)
		if h.win.Canvas().Focused() != d.search {
			t.Fatalf("Ctrl+F focused %v, not the search", h.win.Canvas().Focused())
		}
		test.Type(d.search, "model")
	})
	key(fyne.KeyDown)
	h.ui(func() {
		if h.win.Canvas().Focused() != d.list.list {
			t.Fatal("Down in the search did not move to the list")
		}
	})
	for _, step := range []struct {
		key  fyne.KeyName
		want string
	}{{fyne.KeyDown, "Model Company 002"}, {fyne.KeyDown, "Model Company 003"}, {fyne.KeyUp, "Model Company 002"}, {fyne.KeyEnd, "Model Company 009"}, {fyne.KeyDown, "Model Company 009"}, {fyne.KeyHome, "Model Company 001"}} {
		key(step.key)
		if got := selected(); got != step.want {
			t.Fatalf("after %s the selection is %q, want %q", step.key, got, step.want)
		}
	}
	key(fyne.KeySpace)
	h.ui(func() {
		if !d.chosen[5001] || !h.has("1 chosen") {
			t.Errorf("Space did not tick the selected company: %v", d.chosen)
		}
	})
	key(fyne.KeyDelete)
	h.waitText("Disconnect Model Company 001?")
	h.tap("Keep")
	h.ui(func() {
		if len(d.statuses) != 10 || h.has("Disconnect Model Company 001?") {
			t.Error("Keep did not keep the company")
		}
		d.search.SetText("")
	})
	key(fyne.KeyHome)
	if got := selected(); got != "Aardvark Cafe" {
		t.Fatalf("Home selected %q", got)
	}
	key(fyne.KeyReturn) // its fix: the integration settings
	h.waitText("Enter your integration's details")
}

// TestDashboardBulkChoose ticks companies in the list: the header counts them and offers
// Check chosen and Export chosen…, whose dialog has exactly those companies ticked; the
// header's own box ticks every company shown, and unticks all.
func TestDashboardBulkChoose(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	d := showStatuses(h, manyStatuses(40, 10, 20))
	tickOf := func(name string) *rowTick {
		var found *rowTick
		visit([]fyne.CanvasObject{d.list.list}, func(o fyne.CanvasObject) bool {
			if c, ok := o.(*fyne.Container); ok && len(c.Objects) == columns {
				if l, ok := c.Objects[colName].(*widget.Label); ok && l.Text == name {
					found = c.Objects[colTick].(*rowTick)
				}
			}
			return found == nil
		})
		return found
	}
	h.ui(func() {
		if h.has("Check chosen") {
			t.Fatal("bulk actions show with nothing ticked")
		}
		test.Tap(tickOf("Model Company 010"))
		test.Tap(tickOf("Model Company 001"))
		if !h.has("2 chosen") || d.details.name.Text != "Model Company 010" {
			t.Fatalf("after two ticks: %q, details on %q", h.texts(), d.details.name.Text)
		}
	})
	h.tap("Export chosen…")
	h.waitText("Export tokens")
	h.ui(func() {
		var ticked []string
		visit([]fyne.CanvasObject{h.win.Canvas().Overlays().Top()}, func(o fyne.CanvasObject) bool {
			if c, ok := o.(*tick); ok && c.Checked && strings.HasPrefix(c.Text, "Model Company") {
				ticked = append(ticked, c.Text)
			}
			return true
		})
		slices.Sort(ticked)
		if !slices.Equal(ticked, []string{"Model Company 001", "Model Company 010"}) {
			t.Errorf("the export dialog has %q ticked", ticked)
		}
		h.win.Canvas().Overlays().Top().Hide()
		h.win.Canvas().Overlays().Remove(h.win.Canvas().Overlays().Top())
	})
	h.tap("2 need reconnecting")
	h.ui(func() {
		test.Tap(d.list.header.untick) // untick all
		if len(d.chosen) != 0 || h.has("Check chosen") {
			t.Fatalf("unticking left %v", d.chosen)
		}
		test.Tap(d.list.header.tickAll) // every company shown: the two the filter shows
		if got := d.chosenIDs(); !slices.Equal(got, []int64{5010, 5020}) || !h.has("2 chosen") {
			t.Errorf("ticking all shown chose %v", got)
		}
	})
}

// TestDashboardResultsDoNotScrollTheList: when a result moves the selected company far down
// (here from first to last), the highlight goes with it but the rows on screen stay put;
// a new filter does bring the selection into view.
func TestDashboardResultsDoNotScrollTheList(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	statuses := manyStatuses(120, 119)
	d := showStatuses(h, statuses)
	h.ui(func() {
		d.list.list.Select(1)
		d.list.list.Select(0) // as the person's click would: the pane keeps it from now on
		if d.details.name.Text != "Model Company 119" || d.list.list.GetScrollOffset() != 0 {
			t.Fatalf("opened on %q at offset %v", d.details.name.Text, d.list.list.GetScrollOffset())
		}
		healed, _ := d.status(5119)
		healed.Status = connections.StatusHealthy
		d.setStatuses([]connections.CompanyStatus{healed})
		if row := d.shownIndex(d.selected); d.selected != 5119 || row != 119 || d.list.selectedRow != 119 {
			t.Fatalf("the selection is company %d on row %d", d.selected, row)
		}
		if off := d.list.list.GetScrollOffset(); off != 0 {
			t.Errorf("a result scrolled the list to %v", off)
		}
		d.setFilter(connections.StatusHealthy)
		if off := d.list.list.GetScrollOffset(); off == 0 {
			t.Error("a new filter did not bring the selected company into view")
		}
	})
}

// TestDashboardFirstRowUntilThePersonChooses: the pane follows the first row while results
// reorder the list, until the person selects a company; then it stays on that one.
func TestDashboardFirstRowUntilThePersonChooses(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	d := showStatuses(h, manyStatuses(20))
	h.ui(func() {
		if d.details.name.Text != "Model Company 000" {
			t.Fatalf("opened on %q", d.details.name.Text)
		}
		broken, _ := d.status(5012)
		broken.Status, broken.Detail = connections.StatusNeedsReconnect, revokedDetail
		d.setStatuses([]connections.CompanyStatus{broken})
		if d.details.name.Text != "Model Company 012" || d.details.fixOf == nil {
			t.Fatalf("after 012 broke the pane shows %q", d.details.name.Text)
		}
		d.list.list.Select(3) // the person picks Model Company 002
		broken, _ = d.status(5015)
		broken.Status, broken.Detail = connections.StatusNeedsReconnect, revokedDetail
		d.setStatuses([]connections.CompanyStatus{broken})
		if d.details.name.Text != "Model Company 002" {
			t.Errorf("the pane left the person's choice for %q", d.details.name.Text)
		}
	})
}

// TestDashboardOnePrimaryButton: the fix of the selected company is the one primary button;
// without one, Connect another company is.
func TestDashboardOnePrimaryButton(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	d := showStatuses(h, manyStatuses(5, 2))
	h.ui(func() {
		primaries := func() (names []string) {
			visit(h.roots(), func(o fyne.CanvasObject) bool {
				if b := asButton(o); b != nil && b.Importance == widget.HighImportance {
					names = append(names, b.Text)
				}
				return true
			})
			return names
		}
		if got := primaries(); !slices.Equal(got, []string{"Reconnect"}) {
			t.Errorf("with a broken company selected the primary buttons are %q", got)
		}
		d.list.list.Select(1)
		if got := primaries(); !slices.Equal(got, []string{"Connect another company"}) {
			t.Errorf("with a healthy company selected the primary buttons are %q", got)
		}
	})
}
