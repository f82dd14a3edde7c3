package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// welcome is the first screen: what the app does, and the two ways to begin.
type welcome struct {
	shell    *shell
	practice *button
	connect  *button
}

func newWelcome(s *shell) *welcome {
	w := &welcome{shell: s}
	w.practice = keyButton(&widget.Button{Text: "Practice with a demo company", OnTapped: s.onPracticeClicked})
	w.connect = keyButton(&widget.Button{Text: "Connect my Lightspeed company", Importance: widget.HighImportance, OnTapped: w.onConnectClicked})
	return w
}

// showWelcome shows the welcome screen.
func (s *shell) showWelcome() { s.show(newWelcome(s).content()) }

// onConnectClicked asks which Lightspeed first; the details are that product's integration's.
func (w *welcome) onConnectClicked() {
	w.shell.askProduct(false, w.shell.showWelcome, w.shell.connectProduct)
}

// connectProduct shows product's integration details; Back asks the question again.
func (s *shell) connectProduct(p connections.Product) {
	s.loadDetails(p, func() { s.askProduct(false, s.showWelcome, s.connectProduct) }, s.connectFromDetails, false)
}

func (w *welcome) content() fyne.CanvasObject {
	title := heading("Connect your Lightspeed company to your integration.")
	body := wrapped("It takes about two minutes. You will need the integration's Client ID and Client Secret.")
	return screen(container.NewVBox(title, body), w.practice, layoutSpacer(), w.connect)
}
