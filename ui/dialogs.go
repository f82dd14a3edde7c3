package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// dialogWidth keeps wrapped sentences readable: a dialog is otherwise as narrow as its title.
const dialogWidth = 480

// showError shows err's plain sentence from any goroutine; nil shows nothing.
func (s *shell) showError(err error) {
	if err == nil {
		return
	}
	s.deps.do(func() { s.showErrorNow(err) })
}

// showErrorNow shows err's plain sentence, with its support line; on the UI goroutine only.
// It never shows a Go error string: problem.Summary falls back to a generic sentence.
func (s *shell) showErrorNow(err error) {
	if err == nil {
		return
	}
	d := dialog.NewCustom("Something needs your attention", "OK", problemContent(err), s.win)
	d.Resize(fyne.NewSize(dialogWidth, 0))
	d.Show()
}

// problemContent is the plain sentence and, smaller, the line for support.
func problemContent(err error) fyne.CanvasObject {
	box := container.NewVBox(wrapped(problem.Summary(err)))
	if detail := problem.Detail(err); detail != "" {
		box.Add(&widget.Label{Text: "For support: " + detail, Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance, SizeName: theme.SizeNameCaptionText})
	}
	return box
}

// wrapped is a label that wraps at word boundaries.
func wrapped(text string) *widget.Label {
	return &widget.Label{Text: text, Wrapping: fyne.TextWrapWord}
}

// confirm asks a yes/no question in words and calls yes only for the first button.
func (s *shell) confirm(title, message, yesLabel, noLabel string, yes func()) {
	d := dialog.NewCustomConfirm(title, yesLabel, noLabel, wrapped(message), func(ok bool) {
		if ok {
			yes()
		}
	}, s.win)
	d.Resize(fyne.NewSize(dialogWidth, 0))
	d.Show()
}

// inform shows a short message with an OK button.
func (s *shell) inform(title, message string) {
	d := dialog.NewCustom(title, "OK", wrapped(message), s.win)
	d.Resize(fyne.NewSize(dialogWidth, 0))
	d.Show()
}
