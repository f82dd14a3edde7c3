package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// details asks for the integration's Client ID, Client Secret and Redirect URI, checks them
// with the core's sentences as they are typed, and saves them.
type details struct {
	shell   *shell
	base    connections.Settings // endpoints and practice flag, kept as loaded
	product connections.Product  // whose integration these are

	clientID, secret, redirect          *widget.Entry
	clientIDMsg, secretMsg, redirectMsg *fieldMessage
	advanced                            *advanced
	reveal                              *button // shows or hides the Client Secret
	back, next                          *button
	onBack                              func()
	onSaved                             func(d *details)
	root                                fyne.CanvasObject
}

// loadDetails reads the saved settings off the UI goroutine (the secret comes from the
// keyring, which may wait on an unlock dialog), then shows them. Practice mode fills in the
// practice server's details instead.
func (s *shell) loadDetails(p connections.Product, onBack func(), onSaved func(*details), editing bool) {
	if s.practice != nil {
		s.showDetails(s.practice.product, s.practice.server.Settings, onBack, onSaved, editing)
		return
	}
	if s.real == nil {
		s.showErrorNow(s.realErr)
		return
	}
	s.showLoading("Reading the saved settings…")
	core := s.real
	s.spawn(func() {
		saved, err := settingsOf(s.ctx, core, p)
		if err != nil && saved.ClientID == "" {
			saved = connections.Settings{}
		}
		s.deps.do(func() { s.showDetails(p, saved, onBack, onSaved, editing) })
	})
}

// showDetails shows the details screen filled with saved (the suggested Redirect URI when
// none is saved). When editing from the dashboard, Next reads Save.
func (s *shell) showDetails(p connections.Product, saved connections.Settings, onBack func(), onSaved func(*details), editing bool) {
	d := newDetails(s, withProduct(saved, productOrDefault(p)), onBack, onSaved)
	d.product = productOrDefault(p)
	if editing {
		d.withSaveLabel()
	}
	s.show(d.content())
}

// loadSettings edits the saved settings of product p from the dashboard and goes back to it.
func (s *shell) loadSettings(p connections.Product) {
	s.loadDetails(p, s.loadDashboard, func(*details) { s.loadDashboard() }, true)
}

// loadSettingsFor edits the settings a fix names: those of company id's product (the
// practice server's in practice mode), or of the product chosen last when it names none.
func (s *shell) loadSettingsFor(id int64) {
	switch {
	case s.practice != nil:
		s.loadSettings(s.practice.product)
		return
	case id != 0 && s.dash != nil:
		if cs, ok := s.dash.status(id); ok {
			s.loadSettings(statusProduct(cs))
			return
		}
	}
	core := s.real
	s.spawn(func() {
		p, _ := savedProduct(s.ctx, core)
		s.deps.do(func() { s.loadSettings(productOrDefault(p)) })
	})
}

func newDetails(s *shell, saved connections.Settings, onBack func(), onSaved func(*details)) *details {
	d := &details{shell: s, base: saved, onBack: onBack, onSaved: onSaved,
		clientIDMsg: newFieldMessage(), secretMsg: newFieldMessage(), redirectMsg: newFieldMessage()}
	if d.base.RedirectURI == "" {
		d.base.RedirectURI = d.base.SuggestedRedirectURI()
	}
	d.clientID = &widget.Entry{Text: saved.ClientID, PlaceHolder: "for example jwEFtDj4ztUBqHtP", OnChanged: d.onClientIDChanged, OnSubmitted: d.onClientIDSubmitted}
	d.secret = &widget.Entry{Text: saved.ClientSecret, Password: true, OnChanged: d.onSecretChanged, OnSubmitted: d.onSecretSubmitted}
	d.reveal = newButton("Show", theme.VisibilityIcon(), d.onRevealClicked)
	// In place of Fyne's eye in the field, which Tab doesn't reach: the Show button beside it.
	d.secret.ActionItem = layoutSpacer()
	d.redirect = &widget.Entry{Text: d.base.RedirectURI, OnChanged: d.onRedirectChanged, OnSubmitted: func(string) { d.onNextClicked() }}
	d.advanced = newAdvanced(saved)
	d.back = keyButton(&widget.Button{Text: "Back", Icon: theme.NavigateBackIcon(), OnTapped: d.onBackClicked})
	d.next = keyButton(&widget.Button{Text: "Next", Icon: theme.NavigateNextIcon(), IconPlacement: widget.ButtonIconTrailingText, Importance: widget.HighImportance, OnTapped: d.onNextClicked})
	d.onRedirectChanged(d.redirect.Text)
	return d
}

// onRevealClicked shows the Client Secret, or hides it again: only when asked, and only this
// field. The button is beside the field, so Tab reaches it after the field and Shift+Tab
// before; Space or Enter presses it.
func (d *details) onRevealClicked() {
	d.secret.Password = !d.secret.Password
	d.secret.Refresh()
	if d.secret.Password {
		d.reveal.SetText("Show")
		d.reveal.SetIcon(theme.VisibilityIcon())
	} else {
		d.reveal.SetText("Hide")
		d.reveal.SetIcon(theme.VisibilityOffIcon())
	}
}

// revealSized is the Show button as wide as it is when it says Hide, so the field beside it
// keeps its width.
func (d *details) revealSized() fyne.CanvasObject {
	wide := max(newButton("Show", theme.VisibilityIcon(), nil).MinSize().Width, newButton("Hide", theme.VisibilityOffIcon(), nil).MinSize().Width)
	sizer := canvas.NewRectangle(color.Transparent)
	sizer.SetMinSize(fyne.NewSize(wide, 0))
	return container.NewStack(sizer, d.reveal)
}

// withSaveLabel turns Next into Save, for editing the settings from the dashboard.
func (d *details) withSaveLabel() *details {
	d.next.SetText("Save")
	d.next.SetIcon(theme.DocumentSaveIcon())
	return d
}

func (d *details) content() fyne.CanvasObject {
	if d.root != nil {
		return d.root
	}
	title := heading("Enter your integration's details")
	form := container.New(layout.NewFormLayout(),
		fieldLabel("Lightspeed"), &widget.Label{Text: productOrDefault(d.product).Name},
		fieldLabel("Client ID"), container.NewVBox(d.clientID, d.clientIDMsg.box),
		fieldLabel("Client Secret"), container.NewVBox(border(nil, nil, nil, d.revealSized(), d.secret), d.secretMsg.box),
		fieldLabel("Redirect URI"), container.NewVBox(d.redirect, d.redirectMsg.box),
	)
	help := border(nil, nil, container.NewVBox(widget.NewIcon(theme.InfoIcon())), nil,
		wrapped("Find these in Lightspeed under your integration's settings. The Redirect URI must be registered there exactly as written here."))
	d.root = screen(container.NewVBox(title, form, d.advanced.accordion, help), d.back, layoutSpacer(), d.next)
	return d.root
}

func fieldLabel(text string) *widget.Label {
	return &widget.Label{Text: text, TextStyle: fyne.TextStyle{Bold: true}}
}

// settings are the typed values, trimmed, on the loaded endpoints.
func (d *details) settings() connections.Settings {
	s := d.base
	s.ClientID, s.ClientSecret, s.RedirectURI = d.clientID.Text, d.secret.Text, d.redirect.Text
	d.advanced.apply(&s)
	return withProduct(s, productOrDefault(d.product)).Trimmed()
}

// The core's own sentences for a missing Client ID or Secret: Validate checks them first.
var (
	msgNoClientID = problem.Summary(connections.Settings{}.Validate())
	msgNoSecret   = problem.Summary(connections.Settings{ClientID: "x"}.Validate())
)

// onClientIDChanged clears the complaint as soon as something is typed; an empty field is
// only complained about on Next, not while the person is still on their way.
func (d *details) onClientIDChanged(string) {
	if strings.TrimSpace(d.clientID.Text) != "" {
		d.clientIDMsg.set(levelNone, "")
	}
}

func (d *details) onSecretChanged(string) {
	if strings.TrimSpace(d.secret.Text) != "" {
		d.secretMsg.set(levelNone, "")
	}
}

// onRedirectChanged checks the Redirect URI as it is typed: a mistake is an error, an
// address the app cannot catch is information (the person can go on and paste), and a
// risky port is a warning.
func (d *details) onRedirectChanged(string) {
	r, err := d.base.CheckRedirectURI(d.redirect.Text)
	switch {
	case err != nil:
		d.redirectMsg.set(levelError, problem.Summary(err))
	case r.Note != "":
		d.redirectMsg.set(levelInfo, r.Note)
	case r.Warning != "":
		d.redirectMsg.set(levelWarning, r.Warning)
	default:
		d.redirectMsg.set(levelNone, "")
	}
}

// validate shows every field's complaint and returns the first field that has one.
func (d *details) validate() fyne.Focusable {
	s := d.settings()
	var first fyne.Focusable
	mark := func(empty bool, m *fieldMessage, text string, e *widget.Entry) {
		if empty {
			m.set(levelError, text)
			if first == nil {
				first = e
			}
		}
	}
	mark(s.ClientID == "", d.clientIDMsg, msgNoClientID, d.clientID)
	mark(s.ClientSecret == "", d.secretMsg, msgNoSecret, d.secret)
	d.onRedirectChanged(s.RedirectURI)
	if d.redirectMsg.isError() && first == nil {
		first = d.redirect
	}
	if bad := d.advanced.validate(); bad != nil && first == nil {
		first = bad
	}
	return first
}

// Enter in a field moves on to the next one; in the last it is Next.
func (d *details) onClientIDSubmitted(string) { d.shell.win.Canvas().Focus(d.secret) }

func (d *details) onSecretSubmitted(string) { d.shell.win.Canvas().Focus(d.redirect) }

func (d *details) onBackClicked() { d.onBack() }

// onNextClicked saves the settings off the UI goroutine (the secret goes to the keyring),
// then moves on.
func (d *details) onNextClicked() {
	if bad := d.validate(); bad != nil {
		d.shell.win.Canvas().Focus(bad)
		return
	}
	s := d.settings()
	if err := s.Validate(); err != nil {
		d.shell.showErrorNow(err)
		return
	}
	d.setBusy(true)
	core := d.shell.core()
	d.shell.spawn(func() {
		err := core.SaveSettings(d.shell.ctx, s)
		d.shell.deps.do(func() {
			d.setBusy(false)
			if err != nil {
				d.shell.showErrorNow(err)
				return
			}
			d.onSaved(d)
		})
	})
}

func (d *details) setBusy(busy bool) {
	if busy {
		d.next.Disable()
		d.back.Disable()
		return
	}
	d.next.Enable()
	d.back.Enable()
}
