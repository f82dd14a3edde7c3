// Command barewindow is the yardstick for the app's cold start: the smallest Fyne window,
// built the same way as the app, so BenchmarkColdStart can set the two side by side.
package main

import (
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("app.lightspeedconnect.barewindow")
	w := a.NewWindow("Bare Fyne window")
	w.SetContent(widget.NewLabel("Hello"))
	w.ShowAndRun()
}
