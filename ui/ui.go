// Package ui is the window of Lightspeed Connect: a calm wizard for store managers and a
// dashboard for support staff. It is the only package besides main that imports Fyne, and it
// holds no logic that the command line also needs: that lives in the connections core.
package ui

import (
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"

	"github.com/lightspeedconnect/lightspeed-connect/assets"
	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
)

// Start dresses the window (title, icon, size) and shows the first screen. The caller runs it.
func Start(a fyne.App, w fyne.Window, info appinfo.Info) {
	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	a.SetIcon(icon)
	w.SetIcon(icon)
	w.SetTitle(info.Name)
	w.Resize(fyne.NewSize(720, 480))
	w.CenterOnScreen()
	quitOnSignal(a)
	w.SetContent(newWelcome().content())
}

// quitOnSignal quits the app cleanly when the system asks it to stop (SIGTERM from a session
// manager or a test, Ctrl+C in a terminal), so it leaves through the same door as closing.
func quitOnSignal(a fyne.App) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		fyne.Do(a.Quit)
	}()
}
