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
	ok := newButton("OK", nil, nil)
	fix := s.fixButton(problem.FixOf(err))
	if fix == nil {
		ok.Importance = widget.HighImportance
		s.showDialog("Something needs your attention", problemContent(err), ok, ok)
		return
	}
	fix.Importance = widget.HighImportance
	s.showDialog("Something needs your attention", problemContent(err), ok, ok, fix)
}

// showDialog shows a dialog of content with buttons (the primary one last, so it sits bottom
// right), each of which closes it before doing its job. Escape presses cancel, Enter the
// primary button (see keys.go).
func (s *shell) showDialog(title string, content fyne.CanvasObject, cancel *button, buttons ...*button) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(title, content, s.win)
	objs := make([]fyne.CanvasObject, len(buttons))
	var def *button
	for i, b := range buttons {
		tapped := b.OnTapped
		b.OnTapped = func() {
			d.Hide()
			if tapped != nil {
				tapped()
			}
		}
		if b.Importance == widget.HighImportance {
			def = b
		}
		objs[i] = b
	}
	d.SetButtons(objs)
	d.Resize(fyne.NewSize(dialogWidth, 0))
	s.track(d, func() { cancel.Tapped(&fyne.PointEvent{}) }, def)
	d.Show()
	return d
}

// fixButton renders a fix the window's way: the button that does it, or nil when the
// sentence alone says what to do.
func (s *shell) fixButton(f problem.Fix) *button {
	switch f.Action {
	case problem.ActionReconnect:
		id := f.CompanyID
		return newButton("Reconnect", nil, func() {
			s.showWaiting(connections.ConnectOptions{Reconnect: id}, s.loadDashboard)
		})
	case problem.ActionSetUp, problem.ActionEnterSecret, problem.ActionCopySettings:
		id := f.CompanyID
		return newButton("Integration settings", nil, func() { s.loadSettingsFor(id) })
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
	no := newButton(noLabel, theme.CancelIcon(), nil)
	s.showDialog(title, wrapped(message), no, no, primaryButton(yesLabel, theme.ConfirmIcon(), yes))
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
	s.track(pick, nil, nil)
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
	keepIt := newButton("Keep it", theme.CancelIcon(), keep)
	s.showDialog("Replace "+filepath.Base(path)+"?",
		wrapped("A file named "+path+" is already there. Replacing it overwrites what it holds."),
		keepIt, keepIt, primaryButton("Replace", theme.ConfirmIcon(), replace))
}

// showStateNotice tells, over the dashboard, what was rebuilt from the last-good copy of the
// list of companies (connections.Core.StateNotice); nothing when notice is "".
func (s *shell) showStateNotice(notice string) {
	if notice != "" {
		s.inform("Your companies were recovered", notice)
	}
}

// noticeStateOf makes core tell at once of a rebuild of its list of companies from the
// last-good copy met while the dashboard is open (a background refresh finding the file
// damaged): the notice shows then, not at the dashboard's next load. Before the dashboard is
// up, the screen that loads it takes and shows the notice instead.
func (s *shell) noticeStateOf(core *connections.Core) {
	if core == nil {
		return
	}
	core.NotifyStateNotice(func() {
		s.deps.do(func() {
			if s.dash != nil && s.dash.core == core && s.dash.isShown() {
				s.showStateNotice(core.StateNotice())
			}
		})
	})
}

// readOnlyBanner is the notice over a dashboard whose list of companies a newer version of the
// app saved: the core's sentence, in the warning colour.
func readOnlyBanner(sentence string) fyne.CanvasObject {
	label := &widget.Label{Text: sentence, Importance: widget.WarningImportance, Wrapping: fyne.TextWrapWord}
	icon := widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon()))
	return container.NewVBox(container.NewBorder(nil, nil, icon, nil, label), widget.NewSeparator())
}

// inform shows a short message with an OK button.
func (s *shell) inform(title, message string) {
	ok := primaryButton("OK", nil, nil)
	s.showDialog(title, wrapped(message), ok, ok)
}
