package ui

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
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
	fix := s.fixButton(problem.FixOf(err))
	if fix == nil {
		d := dialog.NewCustom("Something needs your attention", "OK", problemContent(err), s.win)
		d.Resize(fyne.NewSize(dialogWidth, 0))
		d.Show()
		return
	}
	var d *dialog.CustomDialog
	tapped := fix.OnTapped
	fix.OnTapped = func() { d.Hide(); tapped() }
	fix.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons("Something needs your attention", problemContent(err), s.win)
	d.SetButtons([]fyne.CanvasObject{&widget.Button{Text: "OK", OnTapped: func() { d.Hide() }}, fix})
	d.Resize(fyne.NewSize(dialogWidth, 0))
	d.Show()
}

// fixButton renders a fix the window's way: the button that does it, or nil when the
// sentence alone says what to do.
func (s *shell) fixButton(f problem.Fix) *widget.Button {
	switch f.Action {
	case problem.ActionReconnect:
		id := f.CompanyID
		return &widget.Button{Text: "Reconnect", OnTapped: func() {
			s.showWaiting(connections.ConnectOptions{Reconnect: id}, s.loadDashboard)
		}}
	case problem.ActionSetUp, problem.ActionEnterSecret, problem.ActionCopySettings:
		id := f.CompanyID
		return &widget.Button{Text: "Integration settings", OnTapped: func() { s.loadSettingsFor(id) }}
	default:
		return nil
	}
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

// chooseFolder asks for the folder a file called name goes into, opening at start when that
// folder exists, and passes picked the file's path there; a cancel calls cancelled (if any).
// A folder picker, not Fyne's save dialog: that one opens the chosen file for writing at once,
// which empties an existing file (or the file a link points to) before anyone confirmed
// replacing it. Writing, and asking before a replace, is left to the caller.
func (s *shell) chooseFolder(name, start string, picked func(path string), cancelled func()) {
	pick := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			if cancelled != nil {
				cancelled()
			}
			return
		}
		picked(filepath.Join(dir.Path(), name))
	}, s.win)
	pick.SetTitleText("Choose the folder for " + name)
	pick.SetConfirmText("Choose")
	if start != "" {
		if dir, err := storage.ListerForURI(storage.NewFileURI(start)); err == nil {
			pick.SetLocation(dir)
		}
	}
	pick.Show()
}

// confirmReplace asks before the file at path is replaced: replace or keep runs with the answer.
func (s *shell) confirmReplace(path string, replace, keep func()) {
	d := dialog.NewCustomConfirm("Replace "+filepath.Base(path)+"?", "Replace", "Keep it",
		wrapped("A file named "+path+" is already there. Replacing it overwrites what it holds."),
		func(ok bool) {
			switch {
			case ok:
				replace()
			case keep != nil:
				keep()
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
