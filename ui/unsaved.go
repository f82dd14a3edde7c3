package ui

import (
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// handleUnsaved offers the two ways to keep a connection that Lightspeed approved but this
// computer could not store: store it again, or export it to a file. An export rescues the
// tokens but does not store them here, so the offer stays open after it; until storing
// succeeds, closing the window asks first.
func (s *shell) handleUnsaved(u *connections.UnsavedError) {
	s.unsaved = u
	body := container.NewVBox(wrapped(u.Error()))
	if s.unsavedFile != "" {
		body.Add(wrapped(connections.SavedTo(s.unsavedFile) + " When the keychain works again, click Try storing again to keep the connection in the app too."))
	}
	var d *dialog.CustomDialog
	retry := &widget.Button{Text: "Try storing again", Importance: widget.HighImportance, OnTapped: func() {
		d.Hide()
		s.onRetryStoringClicked(u)
	}}
	export := &widget.Button{Text: "Export to a file…", OnTapped: func() {
		d.Hide()
		s.onExportUnsavedClicked(u)
	}}
	d = dialog.NewCustomWithoutButtons("The connection isn't stored yet", body, s.win)
	d.SetButtons([]fyne.CanvasObject{export, retry})
	d.Resize(fyne.NewSize(dialogWidth, 0))
	d.Show()
}

func (s *shell) onRetryStoringClicked(u *connections.UnsavedError) {
	s.spawn(func() {
		c, err := u.Retry(s.ctx)
		s.deps.do(func() {
			if err != nil {
				next := connections.AsUnsaved(err)
				if next == nil {
					next = u
				}
				s.handleUnsaved(next)
				return
			}
			s.unsaved, s.unsavedFile = nil, ""
			s.connected(c)
		})
	})
}

// rescueFileName is the name the not-stored connection is exported under.
const rescueFileName = "lightspeed-connection.json"

// onExportUnsavedClicked asks for the folder (a folder picker: Fyne's save dialog would empty
// an existing file, or the file a link points to, before anything was confirmed), then writes
// the connection there, readable only by this user, asking before it replaces a file, and
// offers storing it again.
func (s *shell) onExportUnsavedClicked(u *connections.UnsavedError) {
	pick := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			s.handleUnsaved(u) // cancelled: the choice stays open
			return
		}
		s.exportUnsaved(u, filepath.Join(dir.Path(), rescueFileName), false)
	}, s.win)
	pick.SetTitleText("Choose the folder for " + rescueFileName)
	pick.SetConfirmText("Choose")
	pick.Show()
}

// exportUnsaved writes the connection to path off the UI goroutine; over an existing file
// only after the person said Replace.
func (s *shell) exportUnsaved(u *connections.UnsavedError, path string, force bool) {
	s.spawn(func() {
		err := u.Export(path, connections.FormatFor(path), force)
		s.deps.do(func() {
			if problem.Is(err, problem.KindExists) && !force {
				d := dialog.NewCustomConfirm("Replace "+filepath.Base(path)+"?", "Replace", "Keep it",
					wrapped("A file named "+path+" is already there. Replacing it overwrites what it holds."),
					func(replace bool) {
						if replace {
							s.exportUnsaved(u, path, true)
							return
						}
						s.handleUnsaved(u)
					}, s.win)
				d.Resize(fyne.NewSize(dialogWidth, 0))
				d.Show()
				return
			}
			if err == nil {
				s.unsavedFile = path
			}
			s.handleUnsaved(u)
			s.showErrorNow(err)
		})
	})
}

// homeDir is where exports go by default.
func homeDir() string {
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "."
}
