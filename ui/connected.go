package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// connectedScreen says which company is now connected, with its sites (and any it can't see),
// and that it is safe.
type connectedScreen struct {
	shell *shell
	conn  *connections.Connected
	done  *button
}

// connected announces a stored connection and shows it.
func (s *shell) connected(c *connections.Connected) {
	s.known[c.Company.ID] = connections.StatusUnknown
	s.notify("Connected: "+c.Company.Name, "Lightspeed Connect stored the connection in this computer's keychain.")
	s.show(newConnected(s, c).content())
}

func newConnected(s *shell, c *connections.Connected) *connectedScreen {
	cs := &connectedScreen{shell: s, conn: c}
	cs.done = keyButton(&widget.Button{Text: "Done", Importance: widget.HighImportance, OnTapped: cs.onDoneClicked})
	return cs
}

func (cs *connectedScreen) content() fyne.CanvasObject {
	title := heading("✓ " + cs.conn.Headline())
	title.Importance = widget.SuccessImportance
	// Sites the person who granted access can't see: said as a warning under the list, so
	// nobody takes the list for the whole company.
	product := companyProduct(cs.conn.Company)
	hidden := newFieldMessage()
	hidden.set(levelWarning, cs.conn.Company.SitesNote())
	top := container.NewVBox(
		title,
		wrapped(product.Name),
		wrapped(product.ShopsLine(cs.conn.Company.Sites)),
		hidden.box,
		border(nil, nil, widget.NewIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon())), nil,
			wrapped("Everything is stored safely in this computer's keychain.")),
	)
	return screen(top, layoutSpacer(), cs.done)
}

func (cs *connectedScreen) onDoneClicked() { cs.shell.loadDashboard() }
