package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// connectedScreen says which company is now connected, with its sites, and that it is safe.
type connectedScreen struct {
	shell *shell
	conn  *connections.Connected
	done  *widget.Button
}

// connected announces a stored connection and shows it.
func (s *shell) connected(c *connections.Connected) {
	s.known[c.Company.ID] = connections.StatusUnknown
	s.notify("Connected: "+c.Company.Name, "Lightspeed Connect stored the connection in this computer's keychain.")
	s.show(newConnected(s, c).content())
}

func newConnected(s *shell, c *connections.Connected) *connectedScreen {
	cs := &connectedScreen{shell: s, conn: c}
	cs.done = &widget.Button{Text: "Done", Importance: widget.HighImportance, OnTapped: cs.onDoneClicked}
	return cs
}

func (cs *connectedScreen) content() fyne.CanvasObject {
	verb := "Connected"
	if cs.conn.Replaced {
		verb = "Reconnected"
	}
	title := heading("✓ " + verb + ": " + cs.conn.Company.Name)
	title.Importance = widget.SuccessImportance
	top := container.NewVBox(
		title,
		wrapped(sitesLine(cs.conn.Company.Sites)),
		container.NewBorder(nil, nil, widget.NewIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon())), nil,
			wrapped("Everything is stored safely in this computer's keychain.")),
	)
	return screen(top, layoutSpacer(), cs.done)
}

func (cs *connectedScreen) onDoneClicked() { cs.shell.loadDashboard() }

// sitesLine names a company's sites: "Sites: Parramatta · Manly · Bondi".
func sitesLine(sites []vault.Site) string {
	if len(sites) == 0 {
		return "No sites yet."
	}
	names := make([]string, 0, len(sites))
	for _, s := range sites {
		names = append(names, s.Name)
	}
	return "Sites: " + strings.Join(names, " · ")
}
