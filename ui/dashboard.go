package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// clockInterval is how often the dashboard's countdowns and "ago" lines are redrawn.
const clockInterval = 15 * time.Second

// dashboard shows every connected company in one glance: its health in a word and a colour,
// its sites, how long its access token lasts, and what to do when something is wrong.
type dashboard struct {
	shell    *shell
	core     *connections.Core
	statuses []connections.CompanyStatus
	busy     map[int64]string // "Checking" or "Refreshing" while a request runs

	list   *fyne.Container
	clocks []func() // redraw the time-dependent labels
	root   fyne.CanvasObject

	checkAll, copyDiagnostics, settings, connectAnother *widget.Button
}

// loadDashboard reads the statuses off the UI goroutine, then shows the dashboard.
func (s *shell) loadDashboard() {
	s.showLoading("Loading your companies…")
	core := s.core()
	s.spawn(func() {
		statuses, err := core.Statuses(s.ctx)
		s.deps.do(func() {
			if err != nil {
				s.showWelcome()
				s.showErrorNow(err)
				return
			}
			s.showDashboard(statuses)
		})
	})
}

// showDashboard shows the statuses as recorded, then checks every company afresh, and keeps
// tokens refreshed while the window is open.
func (s *shell) showDashboard(statuses []connections.CompanyStatus) {
	d := newDashboard(s, s.core(), statuses)
	s.noticeStatuses(statuses)
	s.show(d.content())
	s.startAutoRefresh(d.core)
	if len(statuses) > 0 {
		d.onCheckAllClicked()
	}
}

func newDashboard(s *shell, core *connections.Core, statuses []connections.CompanyStatus) *dashboard {
	d := &dashboard{shell: s, core: core, statuses: statuses, busy: map[int64]string{}, list: container.NewVBox()}
	d.checkAll = &widget.Button{Text: "Check all", Icon: theme.ViewRefreshIcon(), OnTapped: d.onCheckAllClicked}
	d.copyDiagnostics = &widget.Button{Text: "Copy diagnostics", Icon: theme.ContentCopyIcon(), OnTapped: d.onCopyDiagnosticsClicked}
	d.settings = &widget.Button{Text: "Integration settings", Icon: theme.SettingsIcon(), OnTapped: d.onSettingsClicked}
	d.connectAnother = &widget.Button{Text: "Connect another company", Icon: theme.ContentAddIcon(), Importance: widget.HighImportance, OnTapped: d.onConnectAnotherClicked}
	return d
}

func (d *dashboard) content() fyne.CanvasObject {
	if d.root == nil {
		d.render()
		top := container.NewVBox(heading("Connected companies"), d.list)
		d.root = screen(top, d.checkAll, d.copyDiagnostics, d.settings, layoutSpacer(), d.connectAnother)
		d.shell.dash = d
	}
	return d.root
}

// render rebuilds the rows from the statuses.
func (d *dashboard) render() {
	d.clocks = d.clocks[:0]
	rows := make([]fyne.CanvasObject, 0, 2*len(d.statuses))
	for i, cs := range d.statuses {
		if i > 0 {
			rows = append(rows, widget.NewSeparator())
		}
		rows = append(rows, d.row(cs))
	}
	if len(rows) == 0 {
		rows = append(rows, wrapped("No companies are connected on this computer. Click Connect another company to add one."))
	}
	d.list.Objects = rows
	d.list.Refresh()
	if len(d.statuses) == 0 {
		d.checkAll.Disable()
	} else {
		d.checkAll.Enable()
	}
}

// row is one company: name, badge, sites and token on the first line, then when it was
// checked and refreshed, then what is wrong with the button that fixes it, then actions.
func (d *dashboard) row(cs connections.CompanyStatus) fyne.CanvasObject {
	name := &widget.Label{Text: cs.Name, TextStyle: fyne.TextStyle{Bold: true}}
	token := widget.NewLabel("")
	ago := widget.NewLabel("")
	clock := func() {
		now := d.shell.deps.now()
		token.SetText(connections.SiteCount(len(cs.Sites)) + " · token " + connections.TimeLeft(cs.AccessExpiresAt, now))
		ago.SetText("checked " + connections.Ago(cs.LastCheckAt, now) + " · refreshed " + connections.Ago(cs.LastRefreshAt, now))
	}
	clock()
	d.clocks = append(d.clocks, clock)
	first := container.NewBorder(nil, nil, container.NewHBox(name, d.badge(cs)), token)
	second := container.NewBorder(nil, nil, nil, ago, &widget.Label{Text: connections.SitesLine(cs.Sites), Wrapping: fyne.TextWrapWord})
	box := container.NewVBox(first, second)
	if problem := d.problemLine(cs); problem != nil {
		box.Add(problem)
	}
	box.Add(d.actions(cs))
	return box
}

// badge is the status in a word and the theme's colour for it; a spinner while busy.
func (d *dashboard) badge(cs connections.CompanyStatus) fyne.CanvasObject {
	if word, ok := d.busy[cs.ID]; ok {
		spinner := widget.NewActivity()
		spinner.Start()
		return container.NewHBox(spinner, widget.NewLabel(word+"…"))
	}
	return &widget.Label{Text: "● " + connections.StatusLabel(cs.Status), Importance: statusImportance(cs.Status), TextStyle: fyne.TextStyle{Bold: true}}
}

// statusImportance is the theme's colour for a status; the word beside it carries the meaning.
func statusImportance(s connections.Status) widget.Importance {
	switch s {
	case connections.StatusHealthy:
		return widget.SuccessImportance
	case connections.StatusNeedsReconnect, connections.StatusCredentialsInvalid:
		return widget.DangerImportance
	case connections.StatusUnreachable:
		return widget.WarningImportance
	default:
		return widget.MediumImportance
	}
}

// offlineSentence is how the window says the check-the-internet fix: nothing is lost.
const offlineSentence = "Couldn't reach Lightspeed — check the internet connection; nothing is lost."

// problemLine says what is wrong and offers the fix as a button, or nil when nothing is.
func (d *dashboard) problemLine(cs connections.CompanyStatus) fyne.CanvasObject {
	if _, busy := d.busy[cs.ID]; busy {
		return nil
	}
	text := cs.Detail
	fix := d.shell.fixButton(cs.Fix())
	switch {
	case cs.Fix().Action == problem.ActionCheckInternet:
		text = offlineSentence
	case fix == nil:
		return nil
	}
	sentence := wrapped(text)
	if fix == nil {
		return sentence
	}
	fix.Importance = widget.HighImportance
	return container.NewBorder(nil, nil, nil, container.NewVBox(fix), sentence)
}

// actions are the row's buttons; Check and Refresh wait while a request runs.
func (d *dashboard) actions(cs connections.CompanyStatus) fyne.CanvasObject {
	id := cs.ID
	check := &widget.Button{Text: "Check", OnTapped: func() { d.onCheckClicked(id) }}
	refresh := &widget.Button{Text: "Refresh", OnTapped: func() { d.onRefreshClicked(id) }}
	if _, busy := d.busy[id]; busy {
		check.Disable()
		refresh.Disable()
	}
	return container.NewHBox(check, refresh,
		&widget.Button{Text: "Export…", OnTapped: func() { d.onExportClicked(id) }},
		&widget.Button{Text: "Reconnect", OnTapped: func() { d.onReconnectClicked(id) }},
		&widget.Button{Text: "Disconnect", Importance: widget.LowImportance, OnTapped: func() { d.onDisconnectClicked(cs) }})
}

// tick redraws the countdowns.
func (d *dashboard) tick() {
	for _, clock := range d.clocks {
		clock()
	}
}

// setStatuses replaces the statuses (merging a partial answer) and redraws.
func (d *dashboard) setStatuses(latest []connections.CompanyStatus) {
	byID := make(map[int64]connections.CompanyStatus, len(latest))
	for _, cs := range latest {
		byID[cs.ID] = cs
	}
	for i, cs := range d.statuses {
		if next, ok := byID[cs.ID]; ok {
			d.statuses[i] = next
		}
	}
	d.shell.noticeStatuses(d.statuses)
	d.render()
}

// replaceStatuses takes a full list, as after a disconnect.
func (d *dashboard) replaceStatuses(all []connections.CompanyStatus) {
	d.statuses = all
	d.shell.noticeStatuses(all)
	d.render()
}

func (d *dashboard) setBusy(word string, ids ...int64) {
	for _, id := range ids {
		if word == "" {
			delete(d.busy, id)
		} else {
			d.busy[id] = word
		}
	}
	d.render()
}

func (d *dashboard) allIDs() []int64 {
	ids := make([]int64, 0, len(d.statuses))
	for _, cs := range d.statuses {
		ids = append(ids, cs.ID)
	}
	return ids
}

func (d *dashboard) onCheckAllClicked() { d.check(d.allIDs()...) }

func (d *dashboard) onCheckClicked(id int64) { d.check(id) }

// check probes companies off the UI goroutine; each row spins meanwhile.
func (d *dashboard) check(ids ...int64) {
	if len(ids) == 0 {
		return
	}
	d.setBusy("Checking", ids...)
	s := d.shell
	s.spawn(func() {
		statuses, err := d.core.Check(s.ctx, ids...)
		s.deps.do(func() {
			d.setBusy("", ids...)
			if err != nil {
				s.showErrorNow(err)
				return
			}
			d.setStatuses(statuses)
		})
	})
}

// onRefreshClicked refreshes one company's tokens now; a failure is also recorded on it.
func (d *dashboard) onRefreshClicked(id int64) {
	d.setBusy("Refreshing", id)
	s := d.shell
	s.spawn(func() {
		err := d.core.Refresh(s.ctx, id)
		statuses, serr := d.core.Statuses(s.ctx)
		s.deps.do(func() {
			d.setBusy("", id)
			if serr == nil {
				d.setStatuses(statuses)
			}
			s.showErrorNow(err)
		})
	})
}

func (d *dashboard) onExportClicked(id int64) {
	newExportDialog(d.shell, d.core, d.statuses, id).show()
}

func (d *dashboard) onReconnectClicked(id int64) {
	d.shell.showWaiting(connections.ConnectOptions{Reconnect: id}, d.shell.loadDashboard)
}

// onDisconnectClicked asks first: the refresh token cannot be recovered.
func (d *dashboard) onDisconnectClicked(cs connections.CompanyStatus) {
	s := d.shell
	s.confirm("Disconnect "+cs.Name+"?",
		"The app will delete "+cs.Name+"'s tokens from this computer. The refresh token cannot be recovered: to use this company again, you must connect it again in Lightspeed.",
		"Disconnect", "Keep", func() {
			s.spawn(func() {
				err := d.core.Disconnect(s.ctx, cs.ID)
				statuses, serr := d.core.Statuses(s.ctx)
				s.deps.do(func() {
					if serr == nil {
						d.replaceStatuses(statuses)
					}
					s.showErrorNow(err)
				})
			})
		})
}

// onCopyDiagnosticsClicked copies the redacted report for support.
func (d *dashboard) onCopyDiagnosticsClicked() {
	s := d.shell
	s.spawn(func() {
		text := d.core.Diagnostics(s.ctx, s.info.Version).Text()
		s.deps.do(func() {
			s.app.Clipboard().SetContent(text)
			s.inform("Diagnostics copied", "Paste them into your message to support. They contain no secrets: tokens are shown only as short fingerprints.")
		})
	})
}

func (d *dashboard) onSettingsClicked() {
	d.shell.loadSettings()
}

func (d *dashboard) onConnectAnotherClicked() {
	d.shell.showWaiting(connections.ConnectOptions{}, d.shell.loadDashboard)
}

// noticeStatuses sends a notification when a company turns needs-reconnect, and wakes the
// tray so it shows the news too.
func (s *shell) noticeStatuses(statuses []connections.CompanyStatus) {
	s.notifyTransitions(statuses)
	if s.guardian != nil {
		s.guardian.poke()
	}
}

// startAutoRefresh keeps a core's tokens fresh while the window (or practice) runs, once per
// core, and redraws the dashboard after each round.
func (s *shell) startAutoRefresh(core *connections.Core) {
	if s.refreshed[core] {
		return
	}
	s.refreshed[core] = true
	ctx := s.ctx
	if s.practice != nil && core == s.practice.core {
		ctx = s.practice.ctx
	}
	s.spawn(func() {
		core.AutoRefresh(ctx, s.deps.autoRefresh, func([]connections.RefreshResult, error) {
			statuses, err := core.Statuses(ctx)
			if err != nil {
				return
			}
			s.deps.do(func() {
				if s.dash != nil && s.dash.core == core && s.current == s.dash.root {
					s.dash.setStatuses(statuses)
					return
				}
				s.noticeStatuses(statuses)
			})
		})
	})
}

// runClock redraws the dashboard's countdowns while the window is open.
func (s *shell) runClock() {
	t := time.NewTicker(clockInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.deps.do(func() {
				if s.dash != nil && s.current == s.dash.root {
					s.dash.tick()
				}
			})
		}
	}
}
