package ui

import (
	"os"

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
	retry := keyButton(&widget.Button{Text: "Try storing again", Importance: widget.HighImportance, OnTapped: func() {
		d.Hide()
		s.onRetryStoringClicked(u)
	}})
	export := keyButton(&widget.Button{Text: "Export to a file…", OnTapped: func() {
		d.Hide()
		s.onExportUnsavedClicked(u)
	}})
	d = dialog.NewCustomWithoutButtons("The connection isn't stored yet", body, s.win)
	d.SetButtons([]fyne.CanvasObject{export, retry})
	d.Resize(fyne.NewSize(dialogWidth, 0))
	d.Show()
}

// offerUnsavedOf makes core offer, at once, the tokens of any refresh the keyring refuses,
// automatic ones included, unless another offer is already open.
func (s *shell) offerUnsavedOf(core *connections.Core) {
	if core == nil {
		return
	}
	core.NotifyUnsaved(func(u *connections.UnsavedError) {
		s.deps.do(func() {
			if s.unsaved == nil {
				s.handleUnsaved(u)
			} else if s.unsaved.Refreshed() && s.unsaved.Company().ID == u.Company().ID {
				s.unsaved = u // the newest tokens held for that company
			}
		})
	})
}

// heldUnsaved is a refresh whose tokens are held in memory only, if any core has one.
func (s *shell) heldUnsaved() *connections.UnsavedError {
	for _, c := range s.cores() {
		if held := c.Unsaved(); len(held) > 0 {
			return held[0]
		}
	}
	return nil
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
			if u.Refreshed() {
				s.notify("Connection stored", u.StoredAfterRetry())
				if next := s.heldUnsaved(); next != nil {
					s.handleUnsaved(next)
				}
				return
			}
			s.connected(c)
		})
	})
}

// onExportUnsavedClicked asks for the folder (see chooseFolder), then writes the connection
// there, readable only by this user, asking before it replaces a file, and offers storing it
// again. A cancel keeps the choice open.
func (s *shell) onExportUnsavedClicked(u *connections.UnsavedError) {
	s.chooseFolder(u.RescueFileName(s.deps.now()), "", func(path string) { s.exportUnsaved(u, path, false) },
		func() { s.handleUnsaved(u) })
}

// exportUnsaved writes the connection to path off the UI goroutine; over an existing file
// only after the person said Replace.
func (s *shell) exportUnsaved(u *connections.UnsavedError, path string, force bool) {
	s.spawn(func() {
		err := u.Export(path, connections.FormatFor(path), force)
		s.deps.do(func() {
			if problem.Is(err, problem.KindExists) && !force {
				s.confirmReplace(path, func() { s.exportUnsaved(u, path, true) }, func() { s.handleUnsaved(u) })
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
