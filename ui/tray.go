package ui

import (
	"fmt"
	"os"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/assets"
	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/autostart"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// The guardian in the system tray: an icon that shows the overall health of the connected
// companies, a menu that says it in words, and, when the person chose so, automatic refresh
// that goes on after the window closes.

// trayFinder returns the system tray the app can put an icon in, or nil when there is none.
type trayFinder func(fyne.App) desktop.App

// systemTray is the real trayFinder: the app must be a desktop app, and on Linux and the BSDs
// a tray host (a StatusNotifierWatcher) must be on the session bus, or an icon put there
// would be seen by no one.
func systemTray(a fyne.App) desktop.App {
	host, ok := a.(desktop.App)
	if !ok || !trayHostRunning() {
		return nil
	}
	return host
}

// keepRunningKey is the preference that remembers the answer to "Keep tokens fresh in the
// background?": keepRunningYes, keepRunningNo, or "" while it was never asked.
const (
	keepRunningKey = "tray.keepRunningAfterClose"
	keepRunningYes = "yes"
	keepRunningNo  = "no"
)

// trayPollInterval is how often the tray reads the recorded statuses again (a read of the
// state file, nothing sent); every check and refresh also wakes it at once.
const trayPollInterval = 30 * time.Second

// health is the overall health of the connected companies, as the tray icon shows it.
type health int

const (
	healthNone      health = iota // nothing connected, or nothing checked yet
	healthHealthy                 // every company answered
	healthOffline                 // Lightspeed couldn't be reached for some
	healthAttention               // some need reconnecting or the integration's details
)

// trayIcons are the icon variants, one per health.
var trayIcons = map[health]fyne.Resource{
	healthNone:      fyne.NewStaticResource("tray-none.png", assets.TrayNone),
	healthHealthy:   fyne.NewStaticResource("tray-healthy.png", assets.TrayHealthy),
	healthOffline:   fyne.NewStaticResource("tray-offline.png", assets.TrayOffline),
	healthAttention: fyne.NewStaticResource("tray-attention.png", assets.TrayAttention),
}

// summary is the overall health and the sentence that says it: the icon never speaks alone.
// filter is the dashboard's filter that shows the companies the sentence is about, "" for
// all of them.
type summary struct {
	health health
	line   string
	filter connections.Status
}

// summarise sums the statuses up for the tray: whatever needs attention outranks offline,
// which outranks not checked. A single company is named; several are counted.
func summarise(statuses []connections.CompanyStatus) summary {
	var attention, offline, unchecked, handedOff []connections.CompanyStatus
	for _, cs := range statuses {
		switch cs.Status {
		case connections.StatusHealthy:
		case connections.StatusHandedOff: // the integration refreshes it: nothing to do here
			handedOff = append(handedOff, cs)
		case connections.StatusUnreachable:
			offline = append(offline, cs)
		case connections.StatusUnknown:
			unchecked = append(unchecked, cs)
		default:
			attention = append(attention, cs)
		}
	}
	n := len(statuses)
	switch {
	case n == 0:
		return summary{healthNone, "No companies connected", ""}
	case len(attention) == 1:
		return summary{healthAttention, shortName(attention[0].Name) + " needs attention", attention[0].Status}
	case len(attention) > 1:
		return summary{healthAttention, fmt.Sprintf("%d companies need attention", len(attention)), mostUrgent(attention)}
	case len(offline) == n:
		return summary{healthOffline, "Offline: couldn't reach Lightspeed", connections.StatusUnreachable}
	case len(offline) == 1:
		return summary{healthOffline, "Couldn't reach Lightspeed for " + shortName(offline[0].Name), connections.StatusUnreachable}
	case len(offline) > 1:
		return summary{healthOffline, fmt.Sprintf("Couldn't reach Lightspeed for %d companies", len(offline)), connections.StatusUnreachable}
	case len(unchecked) == 1:
		return summary{healthNone, shortName(unchecked[0].Name) + " not checked yet", connections.StatusUnknown}
	case len(unchecked) > 1:
		return summary{healthNone, fmt.Sprintf("%d companies not checked yet", len(unchecked)), connections.StatusUnknown}
	case len(handedOff) > 0:
		return summary{healthHealthy, fmt.Sprintf("%d healthy, %d handed off to the integration", n-len(handedOff), len(handedOff)), ""}
	case n == 1:
		return summary{healthHealthy, shortName(statuses[0].Name) + " is healthy", ""}
	default:
		return summary{healthHealthy, fmt.Sprintf("All %d companies healthy", n), ""}
	}
}

// mostUrgent is the status to filter on when several companies need attention: the one whose
// fix matters most (reconnecting first, then the integration's credentials), else the first.
func mostUrgent(attention []connections.CompanyStatus) connections.Status {
	for _, want := range []connections.Status{connections.StatusNeedsReconnect, connections.StatusCredentialsInvalid} {
		for _, cs := range attention {
			if cs.Status == want {
				return want
			}
		}
	}
	return attention[0].Status
}

// shortName keeps a menu line short: company names can be long.
func shortName(name string) string {
	const most = 40
	if utf8.RuneCountInString(name) <= most {
		return name
	}
	r := []rune(name)
	return string(r[:most-1]) + "…"
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

// guardian is the tray icon and its menu. It watches the real companies (never the practice
// ones); its fields are touched only on the UI goroutine.
type guardian struct {
	shell *shell
	host  desktop.App
	core  *connections.Core

	menu                                       *fyne.Menu
	status, open, checkNow, keep, signIn, quit *fyne.MenuItem

	current    summary
	loaded     bool // the statuses were read at least once
	checking   bool // a "Check now" runs
	atSignIn   bool // the app starts in the tray when the person signs in (internal/autostart)
	toldHidden bool // the person was told, once, that the app goes on in the tray
	applied    string
	wake       chan struct{}
}

// startGuardian puts the icon in host's tray when there is one and real companies to watch;
// otherwise closing the window quits, as it always did. Finding the tray asks the session bus
// (systemTray), so a window that opens at once does that off the UI goroutine (see Start).
func (s *shell) startGuardian(host desktop.App) {
	if s.real == nil || host == nil || s.guardian != nil {
		return
	}
	g := &guardian{shell: s, host: host, core: s.real, wake: make(chan struct{}, 1)}
	g.status = &fyne.MenuItem{Label: "Reading your companies…", Action: g.onStatusClicked}
	g.open = &fyne.MenuItem{Label: "Open Lightspeed Connect", Action: g.onOpenClicked}
	g.checkNow = &fyne.MenuItem{Label: "Check now", Action: g.onCheckNowClicked}
	g.keep = &fyne.MenuItem{Label: "Keep running after the window closes", Action: g.onKeepRunningClicked}
	g.signIn = &fyne.MenuItem{Label: "Start in the tray when I sign in", Action: g.onStartAtSignInClicked}
	g.quit = &fyne.MenuItem{Label: "Quit", IsQuit: true, Action: g.onQuitClicked}
	g.menu = fyne.NewMenu(s.info.Name, g.status, fyne.NewMenuItemSeparator(), g.open, g.checkNow,
		fyne.NewMenuItemSeparator(), g.keep, g.signIn, fyne.NewMenuItemSeparator(), g.quit)
	s.guardian = g
	g.apply()
	// A tap on the icon shows the window; Fyne makes that window hide on close, so the
	// shell's own question is put back.
	host.SetSystemTrayWindow(s.win)
	s.win.SetCloseIntercept(s.onCloseRequested)
	s.startAutoRefresh(s.real)
	s.spawn(g.watch)
}

// watch reads the recorded statuses off the UI goroutine, now, every trayPollInterval and
// whenever woken, and shows them in the tray.
func (g *guardian) watch() {
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
func (g *guardian) poke() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// show takes statuses just read: a company that turned needs-reconnect is notified, and the
// icon and menu follow.
func (g *guardian) show(statuses []connections.CompanyStatus, err error) {
	if err != nil {
		g.current = summary{healthAttention, "Couldn't read your companies — open the window", ""}
	} else {
		g.shell.notifyTransitions(statuses)
		g.current = summarise(statuses)
	}
	g.loaded = true
	g.apply()
}

// apply puts the current summary, the check's progress and the remembered choice into the
// icon and menu; it does nothing when nothing changed.
func (g *guardian) apply() {
	line := g.current.line
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
	key := fmt.Sprintf("%d|%s|%t|%t|%t", g.current.health, line, g.checking, g.keep.Checked, g.signIn.Checked)
	if key == g.applied {
		return
	}
	g.applied = key
	g.host.SetSystemTrayMenu(g.menu)
	g.host.SetSystemTrayIcon(trayIcons[g.current.health])
}

// onOpenClicked shows the window, wherever it was.
func (g *guardian) onOpenClicked() {
	g.shell.win.Show()
	g.shell.win.RequestFocus()
}

// onStatusClicked shows the window with the dashboard filtered to the companies the status
// line is about ("3 companies need attention" shows those three), when the dashboard of the
// real companies is on screen; elsewhere (a connect under way, practice) it only shows the
// window, never leaving what the person is doing.
func (g *guardian) onStatusClicked() {
	g.onOpenClicked()
	if d := g.shell.dash; d != nil && d.core == g.core && d.root != nil {
		d.setFilter(g.current.filter)
	}
}

// onCheckNowClicked checks every real company off the UI goroutine; the dashboard and the
// tray both show the answers.
func (g *guardian) onCheckNowClicked() {
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
func (g *guardian) onKeepRunningClicked() {
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
func (g *guardian) onStartAtSignInClicked() {
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

// onQuitClicked stops everything and quits.
// A refresh already sent is finished first (see finishRefreshes).
func (g *guardian) onQuitClicked() {
	g.shell.finishRefreshes(func() {
		g.shell.shutdown()
		g.shell.leave(g.shell.app.Quit)
	})
}

// closeWindow closes the window the way the person chose: to the tray, keeping tokens fresh,
// or for good. Without a tray it always closes for good.
func (s *shell) closeWindow() {
	g := s.guardian
	if g == nil {
		s.closeForGood()
		return
	}
	switch s.app.Preferences().String(keepRunningKey) {
	case keepRunningYes:
		g.hideWindow()
	case keepRunningNo:
		s.closeForGood()
	default:
		g.askKeepRunning()
	}
}

// askKeepRunning asks, the first time the window closes, whether to go on in the tray, and
// remembers the answer. There is no way to dismiss it without answering.
func (g *guardian) askKeepRunning() {
	s := g.shell
	message := wrapped("Lightspeed Connect can stay in the system tray after this window closes. " +
		"It then refreshes your companies' access tokens before they run out, so the integration keeps working, " +
		"and tells you when a company needs reconnecting. You can change this later in the tray icon's menu.")
	var d dialog.Dialog
	answer := func(choice string) {
		d.Hide()
		s.app.Preferences().SetString(keepRunningKey, choice)
		g.apply()
		s.closeWindow()
	}
	quit := &widget.Button{Text: "Quit", OnTapped: func() { answer(keepRunningNo) }}
	keep := &widget.Button{Text: "Keep running", Importance: widget.HighImportance, OnTapped: func() { answer(keepRunningYes) }}
	d = dialog.NewCustomWithoutButtons("Keep tokens fresh in the background?",
		container.NewBorder(nil, container.NewHBox(layoutSpacer(), quit, keep), nil, nil, message), s.win)
	d.Resize(fyne.NewSize(dialogWidth, 0))
	d.Show()
}

// hideWindow closes the window to the tray; automatic refresh (started with the guardian)
// goes on. The first time, a
// notification says where the app went.
func (g *guardian) hideWindow() {
	s := g.shell
	s.win.Hide()
	if !g.toldHidden {
		g.toldHidden = true
		s.app.SendNotification(fyne.NewNotification("Lightspeed Connect is still running",
			"It keeps your companies' access tokens fresh from the system tray. To stop it, choose Quit in the tray icon's menu."))
	}
}
