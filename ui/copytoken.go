package ui

import (
	"fmt"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// clipboardClearAfter is how long a copied access token stays on the clipboard.
var clipboardClearAfter = time.Minute

// copyAccessToken is the details pane's "Copy access token": support staff trying an API call
// get a company's access token (refreshed first when it expires within a few minutes, as the
// command line's token does) on the clipboard. A minute later, or when the window closes, the
// clipboard is cleared, but only if it still holds that token. The token is read off the UI
// goroutine; a failure shows its sentence and fix.
func (s *shell) copyAccessToken(core *connections.Core, company connections.CompanyStatus) {
	s.spawn(func() {
		tok, err := core.AccessToken(s.ctx, company.ID, connections.RefreshMargin)
		s.deps.do(func() {
			if err != nil {
				s.showErrorNow(err)
				return
			}
			s.app.Clipboard().SetContent(tok.Value)
			s.clearClipboardLater(tok.Value)
			s.inform("Access token copied", fmt.Sprintf(
				"The access token for %s is on the clipboard; it works until %s. The app clears it from the clipboard in a minute.",
				company.Name, tok.ExpiresAt.In(time.Local).Format("15:04")))
		})
	})
}

// clearClipboardLater empties the clipboard after clipboardClearAfter, or at once when the
// window closes, if it still holds value: anything the person copied since is left alone.
func (s *shell) clearClipboardLater(value string) {
	s.spawn(func() {
		timer := time.NewTimer(clipboardClearAfter)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-s.ctx.Done():
		}
		s.deps.do(func() {
			if cb := s.app.Clipboard(); cb.Content() == value {
				cb.SetContent("")
			}
		})
	})
}
