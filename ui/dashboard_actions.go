package ui

import (
	"strconv"

	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// The dashboard's buttons: what each does for the selected company, the ticked ones or all,
// off the UI goroutine, with the results merged back into the list (see dashboard.go).

func (d *dashboard) onCheckAllClicked() { d.check(d.allIDs()...) }

func (d *dashboard) onCheckClicked(id int64) { d.check(id) }

func (d *dashboard) onCheckChosenClicked() { d.check(d.chosenIDs()...) }

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

// onExportClicked exports the selected company, or the chosen ones when ids holds more.
func (d *dashboard) onExportClicked(ids ...int64) {
	if len(ids) == 0 {
		return
	}
	e := newExportDialog(d.shell, d.core, d.statuses, ids[0])
	for i, cs := range d.statuses {
		e.companies[i].Checked = slices.Contains(ids, cs.ID)
	}
	e.show()
}

func (d *dashboard) onExportChosenClicked() { d.onExportClicked(d.chosenIDs()...) }

func (d *dashboard) onReconnectClicked(id int64) {
	d.shell.showWaiting(connections.ConnectOptions{Reconnect: id}, d.shell.loadDashboard)
}

// onDisconnectClicked asks first: the refresh token cannot be recovered.
func (d *dashboard) onDisconnectClicked(id int64) {
	cs, ok := d.status(id)
	if !ok {
		return
	}
	d.shell.confirm("Disconnect "+cs.Name+"?", connections.DisconnectWarning(cs.Name), "Disconnect", "Keep", func() {
		d.disconnect(cs.ID)
	})
}

// onDisconnectChosenClicked disconnects the ticked companies, once the person says so: the
// window's way to do what the command line's disconnect does for many at once.
func (d *dashboard) onDisconnectChosenClicked() {
	ids := d.chosenIDs()
	if len(ids) == 0 {
		return
	}
	s := d.shell
	n := strconv.Itoa(len(ids))
	title := "Disconnect " + n + " companies?"
	if len(ids) == 1 {
		title = "Disconnect 1 company?"
	}
	s.confirm(title, connections.DisconnectManyWarning(len(ids)), "Disconnect", "Keep", func() {
		d.disconnect(ids...)
	})
}

// disconnect disconnects the companies off the UI goroutine, then shows the list without them
// and the first error met, if any.
func (d *dashboard) disconnect(ids ...int64) {
	s := d.shell
	s.spawn(func() {
		var first error
		for _, id := range ids {
			if err := d.core.Disconnect(s.ctx, id); err != nil && first == nil {
				first = err
			}
		}
		statuses, serr := d.core.Statuses(s.ctx)
		s.deps.do(func() {
			if serr == nil {
				d.replaceStatuses(statuses)
			}
			s.showErrorNow(first)
		})
	})
}

// onMoreClicked offers what support staff need now and then: the diagnostics and the
// integration's settings.
func (d *dashboard) onMoreClicked() {
	widget.ShowPopUpMenuAtRelativePosition(d.moreMenu(), d.shell.win.Canvas(), fyne.NewPos(0, d.more.Size().Height), d.more)
}

// moreMenu is More's menu: the diagnostics, the integration's settings, and, apart, removing
// everything (the command line's disconnect --all).
func (d *dashboard) moreMenu() *fyne.Menu {
	return fyne.NewMenu("",
		fyne.NewMenuItem("Copy diagnostics", d.onCopyDiagnosticsClicked),
		fyne.NewMenuItem("Integration settings", d.onSettingsClicked),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Remove everything from this computer…", d.onForgetClicked))
}

// onForgetClicked removes every company, the integration's secret and the settings, once the
// person says so, then starts afresh at the Welcome.
func (d *dashboard) onForgetClicked() {
	s := d.shell
	s.confirm("Remove everything from this computer?", connections.ForgetWarning, "Remove everything", "Keep", func() {
		d.cancelCheck()
		s.spawn(func() {
			err := d.core.Forget(s.ctx)
			s.deps.do(func() {
				if err != nil {
					s.showErrorNow(err)
					return
				}
				s.showWelcome()
				s.inform("Everything removed", connections.Forgotten)
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

// onSettingsClicked edits an integration's settings: the one product's on a desk of one
// product (or the practice server's), else the one the person picks (the wizard's question,
// preselecting the last answer).
func (d *dashboard) onSettingsClicked() {
	s := d.shell
	if s.practice != nil {
		s.loadSettings(s.practice.product)
		return
	}
	if products := d.onDesk; len(products) == 1 {
		s.loadSettings(products[0])
		return
	}
	s.askProduct(false, s.loadDashboard, s.loadSettings)
}

// onConnectAnotherClicked asks which Lightspeed (preselecting the last answer), then connects
// with that product's integration, asking for its details first when none are saved. The
// practice server plays one product: practice mode connects it at once.
func (d *dashboard) onConnectAnotherClicked() {
	s := d.shell
	if s.practice != nil {
		s.showWaiting(connectOptions(s.practice.product), s.loadDashboard)
		return
	}
	s.askProduct(false, s.loadDashboard, s.connectAnother)
}
