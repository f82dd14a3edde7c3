package ui

import (
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/autostart"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// The app in the system tray: an icon that shows the overall health of the connected
// companies, a menu that says it in words, and, when the person chose so, automatic refresh
// that goes on after the window closes.

// trayPollInterval is how often the tray reads the recorded statuses again (a read of the
// state file, nothing sent); every check and refresh also wakes it at once.
const trayPollInterval = 30 * time.Second

// trayIcon is the icon in the system tray and its menu. It watches the real companies (never the practice
// ones); its fields are touched only on the UI goroutine.
type trayIcon struct {
	shell *shell
	host  desktop.App
	core  *connections.Core

	menu                                       *fyne.Menu
	status, open, checkNow, keep, signIn, quit *fyne.MenuItem

	current    connections.Summary
	loaded     bool // the statuses were read at least once
	checking   bool // a "Check now" runs
	atSignIn   bool // the app starts in the tray when the person signs in (internal/autostart)
	toldHidden bool // the person was told, once, that the app goes on in the tray
	applied    string
	wake       chan struct{}
}

// startTray puts the icon in host's tray when there is one and real companies to watch;
// otherwise closing the window quits, as it always did. Finding the tray asks the session bus
// (systemTray), so a window that opens at once does that off the UI goroutine (see Start).
func (s *shell) startTray(host desktop.App) {
	if s.real == nil || host == nil || s.trayIcon != nil {
		return
	}
	g := &trayIcon{shell: s, host: host, core: s.real, wake: make(chan struct{}, 1)}
	g.status = &fyne.MenuItem{Label: "Reading your companies…", Action: g.onStatusClicked}
	g.open = &fyne.MenuItem{Label: "Open Lightspeed Connect", Action: g.onOpenClicked}
	g.checkNow = &fyne.MenuItem{Label: "Check now", Action: g.onCheckNowClicked}
	g.keep = &fyne.MenuItem{Label: "Keep running after the window closes", Action: g.onKeepRunningClicked}
	g.signIn = &fyne.MenuItem{Label: "Start in the tray when I sign in", Action: g.onStartAtSignInClicked}
	g.quit = &fyne.MenuItem{Label: "Quit", IsQuit: true, Action: g.onQuitClicked}
	g.menu = fyne.NewMenu(s.info.Name, g.status, fyne.NewMenuItemSeparator(), g.open, g.checkNow,
		fyne.NewMenuItemSeparator(), g.keep, g.signIn, fyne.NewMenuItemSeparator(), g.quit)
	s.trayIcon = g
	g.apply()
	// A tap on the icon shows the window; Fyne makes that window hide on close, so the
	// shell's own question is put back.
	host.SetSystemTrayWindow(s.win)
	s.win.SetCloseIntercept(s.onCloseRequested)
	// A tap on the icon shows the window without telling the app; the window coming to the
	// foreground does.
	s.app.Lifecycle().SetOnEnteredForeground(func() { s.hidden = false })
	s.startAutoRefresh(s.real)
	s.spawn(g.watch)
}

// watch reads the recorded statuses off the UI goroutine, now, every trayPollInterval and
// whenever woken, and shows them in the tray.
func (g *trayIcon) watch() {
	s := g.shell
	t := time.NewTicker(trayPollInterval)
	defer t.Stop()
	for {
		statuses, err := g.core.Statuses(s.ctx)
		atSignIn, _ := autostart.Enabled() // unknown reads as off; turning it on says what failed
		if s.ctx.Err() != nil {
			return
		}
		s.deps.do(func() {
			g.atSignIn = atSignIn
			g.show(statuses, err)
		})
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		case <-g.wake:
		}
	}
}

// poke makes the tray read the statuses again soon; any goroutine may call it.
func (g *trayIcon) poke() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// show takes statuses just read: a company that turned needs-reconnect is notified, and the
// icon and menu follow.
func (g *trayIcon) show(statuses []connections.CompanyStatus, err error) {
	if err != nil {
		g.current = unreadable
	} else {
		g.shell.notifyTransitions(statuses)
		g.current = connections.Summarise(statuses)
	}
	g.loaded = true
	g.apply()
}

// apply puts the current summary, the check's progress and the remembered choice into the
// icon and menu; it does nothing when nothing changed.
func (g *trayIcon) apply() {
	line := g.current.Line
	if !g.loaded {
		line = "Reading your companies…"
	}
	if g.checking {
		line = "Checking your companies…"
	}
	g.status.Label = line
	g.checkNow.Disabled = g.checking
	g.keep.Checked = g.shell.app.Preferences().String(keepRunningKey) == keepRunningYes
	g.signIn.Checked = g.atSignIn
	key := fmt.Sprintf("%d|%s|%t|%t|%t", g.current.Health, line, g.checking, g.keep.Checked, g.signIn.Checked)
	if key == g.applied {
		return
	}
	g.applied = key
	g.host.SetSystemTrayMenu(g.menu)
	g.host.SetSystemTrayIcon(trayIcons[g.current.Health])
}

// onOpenClicked shows the window, wherever it was.
func (g *trayIcon) onOpenClicked() {
	g.shell.hidden = false
	g.shell.win.Show()
	g.shell.win.RequestFocus()
}

// onStatusClicked shows the window with the dashboard filtered to the companies the status
// line is about ("3 companies need attention" shows those three), when the dashboard of the
// real companies is on screen; elsewhere (a connect under way, practice) it only shows the
// window, never leaving what the person is doing.
func (g *trayIcon) onStatusClicked() {
	g.onOpenClicked()
	if d := g.shell.dash; d != nil && d.core == g.core && d.root != nil {
		d.setFilter(g.current.Focus)
	}
}

// onCheckNowClicked checks every real company off the UI goroutine; the dashboard and the
// tray both show the answers.
func (g *trayIcon) onCheckNowClicked() {
	if g.checking {
		return
	}
	g.checking = true
	g.apply()
	s := g.shell
	s.spawn(func() {
		statuses, err := g.core.Check(s.ctx)
		s.deps.do(func() {
			if s.ctx.Err() != nil {
				return // quitting
			}
			g.checking = false
			g.apply()
			if err != nil {
				g.onOpenClicked()
				s.showErrorNow(err)
				return
			}
			if s.dash != nil && s.dash.core == g.core {
				s.dash.setStatuses(statuses)
			}
			g.poke()
		})
	})
}

// onKeepRunningClicked changes the remembered answer.
func (g *trayIcon) onKeepRunningClicked() {
	answer := keepRunningYes
	if g.shell.app.Preferences().String(keepRunningKey) == keepRunningYes {
		answer = keepRunningNo
	}
	g.shell.app.Preferences().SetString(keepRunningKey, answer)
	g.apply()
}

// onStartAtSignInClicked turns starting in the tray at sign-in on or off, off the UI
// goroutine: on Linux an autostart entry, on macOS a LaunchAgent, on Windows a Run value, each
// starting this very program with --background.
func (g *trayIcon) onStartAtSignInClicked() {
	s := g.shell
	turnOn := !g.atSignIn
	s.spawn(func() {
		var err error
		if turnOn {
			var exe string
			if exe, err = os.Executable(); err == nil {
				err = autostart.Enable(exe)
			}
		} else {
			err = autostart.Disable()
		}
		now, _ := autostart.Enabled()
		s.deps.do(func() {
			g.atSignIn = now
			g.apply()
			if err != nil {
				g.onOpenClicked()
				s.showErrorNow(problem.New(problem.KindStorage,
					"Lightspeed Connect couldn't change whether it starts when you sign in. Check that your user folder can be written to, then try again.", err).
					WithDetail("%v", err))
			}
		})
	})
}
