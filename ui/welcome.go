package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// welcome is the first screen: what the app does, and the two ways to begin.
type welcome struct {
	practice *widget.Button
	connect  *widget.Button
}

func newWelcome() *welcome {
	s := &welcome{}
	s.practice = &widget.Button{Text: "Practice with a demo company"}
	s.connect = &widget.Button{Text: "Connect my Lightspeed company", Importance: widget.HighImportance}
	return s
}

func (s *welcome) content() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Connect your Lightspeed company to your integration.",
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := widget.NewLabel("It takes about two minutes. You will need the integration's Client ID and Client Secret.")
	body.Wrapping = fyne.TextWrapWord
	buttons := container.NewHBox(s.practice, layoutSpacer(), s.connect)
	return container.NewBorder(container.NewVBox(title, body), buttons, nil, nil)
}
