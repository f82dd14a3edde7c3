package ui

import (
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// dashboard shows every connected company, one line each, whatever needs attention first:
// a summary bar whose parts filter the list, a search box, the list, the selected company's
// details and actions, and Check all with its progress. It serves one company as well as five
// hundred: the list is virtualised, and everything slow runs off the UI goroutine.
//
// Its parts are separate structs (summaryBar, companyList, detailsPane, checkProgress); the
// dashboard owns the data they show and tells them when it changes. Every field is touched
// only on the UI goroutine.
type dashboard struct {
	shell *shell
	core  *connections.Core

	statuses     []connections.CompanyStatus // every company, in the state file's order
	haystack     map[int64]string            // what the search looks in: name, ID, site names
	busy         map[int64]string            // "Checking" or "Refreshing" while a request runs
	chosen       map[int64]bool              // ticked for a bulk check or export
	filter       connections.Status          // the summary part that is on; "" shows every status
	product      string                      // the product filter's product ID; "" shows every product
	onDesk       []connections.Product       // the products of the companies, O-Series first
	columns      *rowColumns                 // what the list's columns hold for these products
	query        string                      // the search, lower case
	shown        []int                       // indexes into statuses, in the list's order
	selected     int64                       // the company in the details pane; 0 for none
	autoSelected bool                        // selected is the first row, not the person's choice
	run          *checkRun                   // the check in progress, nil when none
	readOnly     string                      // why nothing may change (a newer version's list); "" when all may

	summary *summaryBar
	search  *searchEntry
	// productFilter shows one product's companies; only there when several are connected.
	productFilter *widget.Select
	list          *companyList
	details       *detailsPane
	progress      *checkProgress

	connectAnother, more *button
	root                 fyne.CanvasObject
}

// loadDashboard reads the statuses off the UI goroutine, then shows the dashboard.
func (s *shell) loadDashboard() {
	s.showLoading("Loading your companies…")
	core := s.core()
	s.spawn(func() {
		statuses, err := core.Statuses(s.ctx)
		notice := core.StateNotice()
		s.deps.do(func() { s.showLoaded(statuses, err, notice) })
	})
}

// showLoaded shows what loading the companies read: the dashboard (read only when a newer
// version of the app saved the list), then the notice of a rebuild from the last-good copy, if
// any; or, when they couldn't be read, the Welcome and why.
func (s *shell) showLoaded(statuses []connections.CompanyStatus, err error, notice string) {
	if connections.IsReadOnly(err) && len(statuses) > 0 {
		s.showReadOnlyDashboard(statuses, err)
		s.showStateNotice(notice)
		return
	}
	if err != nil {
		s.showWelcome()
		s.showErrorNow(err)
		return
	}
	s.showDashboard(statuses)
	s.showStateNotice(notice)
}

// showDashboard shows the statuses as recorded, then checks every company afresh, and keeps
// tokens refreshed while the window is open.
func (s *shell) showDashboard(statuses []connections.CompanyStatus) {
	if s.dash != nil {
		s.dash.cancelCheck() // the old dashboard's check would only race the new one's
	}
	d := newDashboard(s, s.core(), statuses)
	s.noticeStatuses(statuses)
	s.show(d.content())
	s.startAutoRefresh(d.core)
	if len(statuses) > 0 {
		d.onCheckAllClicked()
	}
}

// showReadOnlyDashboard shows the companies of a list a newer version of the app saved, as
// they were recorded, under a notice with the core's sentence (why this version changes
// nothing). Nothing is checked or refreshed, Check all and Connect another company are off,
// and any other change the person asks for answers with the same sentence from the core.
func (s *shell) showReadOnlyDashboard(statuses []connections.CompanyStatus, readOnly error) {
	if s.dash != nil {
		s.dash.cancelCheck()
	}
	d := newDashboard(s, s.core(), statuses)
	d.readOnly = problem.Summary(readOnly)
	d.progress.refresh()
	d.connectAnother.Disable()
	s.show(d.content())
}

func newDashboard(s *shell, core *connections.Core, statuses []connections.CompanyStatus) *dashboard {
	d := &dashboard{shell: s, core: core, busy: map[int64]string{}, chosen: map[int64]bool{}, columns: &rowColumns{}}
	d.more = keyButton(&widget.Button{Text: "More", Icon: theme.MoreHorizontalIcon(), OnTapped: d.onMoreClicked})
	d.connectAnother = keyButton(&widget.Button{Text: "Connect another company", Icon: theme.ContentAddIcon(), Importance: widget.HighImportance, OnTapped: d.onConnectAnotherClicked})
	d.summary = newSummaryBar(d)
	d.search = newSearchEntry(d)
	d.productFilter = d.newProductFilter()
	d.list = newCompanyList(d)
	d.details = newDetailsPane(d)
	d.progress = newCheckProgress(d)
	d.replaceStatuses(statuses)
	return d
}

// content lays the dashboard out: the summary and search on top, the list in the middle,
// the details, then Check all and the primary button (bottom right) at the bottom. It fits
// the window's 760 points with room to spare, so the window never has to grow for it.
func (d *dashboard) content() fyne.CanvasObject {
	if d.root != nil {
		return d.root
	}
	var top fyne.CanvasObject = border(nil, nil, d.summary.box, d.productFilter, d.search.sized())
	if d.readOnly != "" {
		top = container.NewVBox(readOnlyBanner(d.readOnly), top)
	}
	bottom := container.NewVBox(widget.NewSeparator(), d.details.box, widget.NewSeparator(),
		border(nil, nil, d.progress.checkAll, container.NewHBox(d.more, d.connectAnother), d.progress.box))
	middle := border(container.NewVBox(d.list.header.box, widget.NewSeparator()), nil, nil, nil, d.list.box)
	d.root = border(top, bottom, nil, nil, middle)
	d.shell.dash = d
	d.listenToKeys()
	return d.root
}

// isShown reports whether the dashboard is the screen in the window.
func (d *dashboard) isShown() bool { return d.root != nil && d.shell.current == d.root }

// listenToKeys gives the dashboard the window's keys: Ctrl+F (Cmd+F on macOS) goes to the
// search box, and the list's keys work before anything is focused.
func (d *dashboard) listenToKeys() {
	c := d.shell.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		if dash := d.shell.dash; dash != nil && dash.isShown() {
			dash.focusSearch()
		}
	})
	d.shell.screenKeys = func(ev *fyne.KeyEvent) bool {
		dash := d.shell.dash
		return dash != nil && dash.isShown() && dash.list.typedKey(ev)
	}
}

func (d *dashboard) focusSearch() {
	d.shell.win.Canvas().Focus(d.search)
}

// replaceStatuses takes a full list, as on opening or after a disconnect.
func (d *dashboard) replaceStatuses(all []connections.CompanyStatus) {
	d.statuses = slices.Clone(all)
	d.haystack = make(map[int64]string, len(all))
	for _, cs := range d.statuses {
		d.haystack[cs.ID] = searchText(cs)
	}
	for id := range d.chosen {
		if d.indexOf(id) < 0 {
			delete(d.chosen, id)
		}
	}
	if d.indexOf(d.selected) < 0 {
		d.selected = 0
	}
	d.noticeProducts()
	d.apply()
	if d.root != nil {
		d.shell.noticeStatuses(all)
	}
}

// setStatuses merges fresh statuses (a check's results, a refresh) into the list.
func (d *dashboard) setStatuses(latest []connections.CompanyStatus) {
	for _, cs := range latest {
		if i := d.indexOf(cs.ID); i >= 0 {
			d.statuses[i] = cs
			d.haystack[cs.ID] = searchText(cs)
		}
	}
	d.shell.noticeStatuses(latest)
	d.noticeProducts()
	d.apply()
}

// searchText is what a search matches: the name, the ID, the product's short name and every
// site's name, lower case.
func searchText(cs connections.CompanyStatus) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(cs.Name))
	b.WriteString("\n")
	b.WriteString(strconv.FormatInt(cs.ID, 10))
	if cs.ExternalID != "" {
		b.WriteString("\n")
		b.WriteString(strings.ToLower(cs.ExternalID))
	}
	b.WriteString("\n")
	b.WriteString(strings.ToLower(statusProduct(cs).ShortName))
	for _, s := range cs.Sites {
		b.WriteString("\n")
		b.WriteString(strings.ToLower(s.Name))
	}
	return b.String()
}

func (d *dashboard) indexOf(id int64) int {
	if id == 0 {
		return -1
	}
	return slices.IndexFunc(d.statuses, func(cs connections.CompanyStatus) bool { return cs.ID == id })
}

// status is the company with id; ok is false when it is not (or no longer) connected.
func (d *dashboard) status(id int64) (connections.CompanyStatus, bool) {
	if i := d.indexOf(id); i >= 0 {
		return d.statuses[i], true
	}
	return connections.CompanyStatus{}, false
}

// apply works out which companies the list shows, in the order every face lists them
// (connections.Compare: whatever needs attention first, then by name), then redraws every part. The selection follows its
// company, wherever the company moves.
func (d *dashboard) apply() {
	d.shown = d.shown[:0]
	for i, cs := range d.statuses {
		if d.matches(cs) {
			d.shown = append(d.shown, i)
		}
	}
	slices.SortStableFunc(d.shown, func(a, b int) int { return connections.Compare(d.statuses[a], d.statuses[b]) })
	if (d.selected == 0 || d.autoSelected) && len(d.shown) > 0 {
		// Until the person picks a company, the pane shows the first row, whichever it is
		// as results come in: the one most in need of attention, its fix at hand.
		d.selected, d.autoSelected = d.statuses[d.shown[0]].ID, true
	}
	d.summary.refresh()
	d.list.refresh()
	d.details.refresh()
	d.progress.refresh()
}

// shownIndex is the list row of company id, or -1 when the list doesn't show it.
func (d *dashboard) shownIndex(id int64) int {
	return slices.IndexFunc(d.shown, func(i int) bool { return d.statuses[i].ID == id })
}

// setFilter shows only the companies in status s; "" shows all.
func (d *dashboard) setFilter(s connections.Status) {
	d.filter = s
	d.selectFirstIfHidden()
	d.list.follow = true
	d.apply()
}

// setQuery searches by name, ID or site name.
func (d *dashboard) setQuery(q string) {
	d.query = strings.ToLower(strings.TrimSpace(q))
	d.selectFirstIfHidden()
	d.list.follow = true
	d.apply()
}

// selectFirstIfHidden moves the selection to the first match once a filter or search hides
// the selected company, so the details pane always speaks of a company in the list.
func (d *dashboard) selectFirstIfHidden() {
	d.selected, _ = d.firstMatch()
}

// firstMatch is the first company the list will show, keeping the current selection when
// it still matches.
func (d *dashboard) firstMatch() (int64, bool) {
	var first connections.CompanyStatus
	for _, cs := range d.statuses {
		if !d.matches(cs) {
			continue
		}
		if cs.ID == d.selected {
			return cs.ID, true
		}
		if first.ID == 0 || connections.Compare(cs, first) < 0 {
			first = cs
		}
	}
	return first.ID, first.ID != 0
}

// selectID shows company id in the details pane.
func (d *dashboard) selectID(id int64) {
	d.autoSelected = false
	if d.selected == id {
		return
	}
	d.selected = id
	d.details.refresh()
}

// choose ticks or unticks a company for the bulk actions.
func (d *dashboard) choose(id int64, on bool) {
	if on {
		d.chosen[id] = true
	} else {
		delete(d.chosen, id)
	}
	d.list.header.refresh()
}

// chooseShown ticks every company the list shows.
func (d *dashboard) chooseShown() {
	for _, i := range d.shown {
		d.chosen[d.statuses[i].ID] = true
	}
	d.list.refresh()
}

// clearChosen unticks every company.
func (d *dashboard) clearChosen() {
	clear(d.chosen)
	d.list.refresh()
}

// chosenIDs are the ticked companies, in the list's order.
func (d *dashboard) chosenIDs() []int64 {
	var ids []int64
	for _, i := range d.shown {
		if id := d.statuses[i].ID; d.chosen[id] {
			ids = append(ids, id)
		}
	}
	for _, cs := range d.statuses { // ticked, then hidden by a filter: still chosen
		if d.chosen[cs.ID] && !slices.Contains(ids, cs.ID) {
			ids = append(ids, cs.ID)
		}
	}
	return ids
}

// tick redraws the countdowns.
func (d *dashboard) tick() {
	d.list.refresh()
	d.details.refresh()
}

func (d *dashboard) setBusy(word string, ids ...int64) {
	for _, id := range ids {
		if word == "" {
			delete(d.busy, id)
		} else {
			d.busy[id] = word
		}
	}
	d.list.refresh()
	d.details.refresh()
}

func (d *dashboard) allIDs() []int64 {
	ids := make([]int64, 0, len(d.statuses))
	for _, cs := range d.statuses {
		ids = append(ids, cs.ID)
	}
	return ids
}
