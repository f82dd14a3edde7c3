package ui

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// Closing and quitting: the window's close button, the tray's Quit and a signal all leave
// through the same door, which finishes a refresh already sent before the app ends.

// quitOnSignal quits the app cleanly when the system asks it to stop (SIGTERM from a session
// manager or a test, Ctrl+C in a terminal), so it leaves through the same door as closing:
// a refresh already sent is finished first.
func quitOnSignal(s *shell) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		fyne.Do(func() { s.finishRefreshes(func() { s.leave(s.app.Quit) }) })
	}()
}

// onCloseRequested asks before closing while an approved connection is not stored: its
// refresh token exists only in memory and cannot be recovered.
func (s *shell) onCloseRequested() {
	if s.unsaved == nil {
		s.unsaved = s.heldUnsaved()
	}
	if s.unsaved == nil {
		s.closeWindow() // to the tray or for good
		return
	}
	s.confirm("Close without storing the connection?", s.unsaved.CloseWarning(s.unsavedFile), "Close anyway", "Keep open", s.closeWindow)
}

// closeForGood closes the window, which ends the app, once the refreshes already sent are
// stored (see finishRefreshes).
func (s *shell) closeForGood() { s.finishRefreshes(func() { s.leave(s.win.Close) }) }

// leaveDelay is how long the window is hidden before it closes or the app quits.
var leaveDelay = 150 * time.Millisecond

// leave hides the window, then runs end (closing it, quitting) a moment later on the UI
// goroutine. Fyne 2.7's GLFW driver crashes when a pointer event is still queued for a window
// it is closing and the pointer's shape changes (it sets the cursor on the closing window's
// view, which is gone); a hidden window gets no pointer events, and the moment lets those
// already queued drain first.
func (s *shell) leave(end func()) {
	s.win.Hide()
	time.AfterFunc(leaveDelay, func() { s.deps.do(end) })
}

// finishRefreshes runs then (closing the window, quitting) once no refresh is in its critical
// section. It stops new work first; a refresh already sent is not cut short, because with a
// server that rotates refresh tokens its reply may be the only copy of the new one. While it
// waits, at most connections.DrainTimeout, the window says connections.FinishingRefresh, or,
// when the window is hidden in the tray (quitting from the tray's menu), a notification does.
func (s *shell) finishRefreshes(then func()) {
	s.cancel()
	cores := s.cores()
	busy := false
	for _, c := range cores {
		busy = busy || c.Refreshing() > 0
	}
	if !busy {
		then()
		return
	}
	d := dialog.NewCustomWithoutButtons("Closing", container.NewVBox(wrapped(connections.FinishingRefresh), widget.NewProgressBarInfinite()), s.win)
	d.Resize(fyne.NewSize(dialogWidth, 0))
	if s.hidden {
		s.notify(s.info.Name, connections.FinishingRefresh)
	} else {
		d.Show()
	}
	go func() { // not spawn: it must outlive s.ctx, which is already cancelled
		ctx, cancel := context.WithTimeout(context.Background(), connections.DrainTimeout)
		defer cancel()
		for _, c := range cores {
			c.Drain(ctx)
		}
		s.deps.do(func() {
			d.Hide()
			then()
		})
	}()
}

// shutdown stops background work when the window closes.
func (s *shell) shutdown() {
	s.cancel()
	s.stopPractice()
}

// keepRunningKey is the preference that remembers the answer to "Keep tokens fresh in the
// background?": keepRunningYes, keepRunningNo, or "" while it was never asked.
const (
	keepRunningKey = "tray.keepRunningAfterClose"
	keepRunningYes = "yes"
	keepRunningNo  = "no"
)

// onQuitClicked stops everything and quits.
// A refresh already sent is finished first (see finishRefreshes).
func (g *trayIcon) onQuitClicked() {
	g.shell.finishRefreshes(func() {
		g.shell.shutdown()
		g.shell.leave(g.shell.app.Quit)
	})
}

// closeWindow closes the window the way the person chose: to the tray, keeping tokens fresh,
// or for good. Without a tray it always closes for good.
func (s *shell) closeWindow() {
	g := s.trayIcon
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
func (g *trayIcon) askKeepRunning() {
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
		border(nil, container.NewHBox(layoutSpacer(), quit, keep), nil, nil, message), s.win)
	d.Resize(fyne.NewSize(dialogWidth, 0))
	d.Show()
}

// hideWindow closes the window to the tray; automatic refresh (started with the tray icon)
// goes on. The first time, a notification says where the app went.
func (g *trayIcon) hideWindow() {
	s := g.shell
	s.win.Hide()
	s.hidden = true
	if !g.toldHidden {
		g.toldHidden = true
		s.app.SendNotification(fyne.NewNotification("Lightspeed Connect is still running",
			"It keeps your companies' access tokens fresh from the system tray. To stop it, choose Quit in the tray icon's menu."))
	}
}
