package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// detailsScreen shows the details screen with nothing saved; it needs no keyring.
func detailsScreen(t *testing.T) (*harness, *details) {
	h := newHarness(t, deps{})
	var d *details
	saved := 0
	h.ui(func() {
		d = newDetails(h.shell, connections.Settings{}, h.shell.showWelcome, func(*details) { saved++ })
		h.shell.show(d.content())
	})
	return h, d
}

func TestDetailsValidation(t *testing.T) {
	cases := []struct {
		name, clientID, secret, redirect string
		field                            func(d *details) *fieldMessage
		want                             level
		wantText                         string
	}{
		{"empty client ID", "", "s3cret", connections.SuggestedRedirectURI, func(d *details) *fieldMessage { return d.clientIDMsg }, levelError, "Enter the integration's Client ID"},
		{"empty secret", "abc", "  ", connections.SuggestedRedirectURI, func(d *details) *fieldMessage { return d.secretMsg }, levelError, "Enter the integration's Client Secret"},
		{"https on loopback", "abc", "s3cret", "https://127.0.0.1:8765/callback", func(d *details) *fieldMessage { return d.redirectMsg }, levelError, "Use http:// here"},
		{"no port", "abc", "s3cret", "http://127.0.0.1/callback", func(d *details) *fieldMessage { return d.redirectMsg }, levelError, "Add a port"},
		{"public host is information", "abc", "s3cret", "https://example.com/callback", func(d *details) *fieldMessage { return d.redirectMsg }, levelInfo, "the app cannot catch it"},
		{"random Windows port is a warning", "abc", "s3cret", "http://127.0.0.1:50000/callback", func(d *details) *fieldMessage { return d.redirectMsg }, levelWarning, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, d := detailsScreen(t)
			h.ui(func() {
				d.clientID.SetText(tc.clientID)
				d.secret.SetText(tc.secret)
				d.redirect.SetText(tc.redirect)
				d.validate()
				m := tc.field(d)
				if got := messageLevel(m); got != tc.want {
					t.Fatalf("level %v (%q), want %v", got, m.label.Text, tc.want)
				}
				if tc.wantText != "" && !h.has(tc.wantText) {
					t.Fatalf("the window does not say %q: %q", tc.wantText, h.texts())
				}
			})
		})
	}
}

// messageLevel reads back what a field's line shows.
func messageLevel(m *fieldMessage) level {
	if !m.box.Visible() {
		return levelNone
	}
	switch m.label.Importance {
	case widget.DangerImportance:
		return levelError
	case widget.WarningImportance:
		return levelWarning
	default:
		return levelInfo
	}
}

func TestDetailsValidatesRedirectWhileTyping(t *testing.T) {
	h, d := detailsScreen(t)
	h.ui(func() {
		if messageLevel(d.redirectMsg) != levelNone {
			t.Fatalf("the suggested Redirect URI has a message: %q", d.redirectMsg.label.Text)
		}
		d.redirect.SetText("")
		test.Type(d.redirect, "https://127.0.0.1:8765/callback")
		if messageLevel(d.redirectMsg) != levelError {
			t.Fatalf("https on loopback: %q", d.redirectMsg.label.Text)
		}
	})
}

func TestDetailsEnterMovesOnAndNextStaysOnMistakes(t *testing.T) {
	h, d := detailsScreen(t)
	h.ui(func() {
		c := h.win.Canvas()
		c.Focus(d.clientID)
		test.Type(d.clientID, "  jwEFtDj4ztUBqHtP ")
		d.clientID.TypedKey(&fyneKeyReturn)
		if c.Focused() != d.secret {
			t.Fatalf("Enter in Client ID focused %T, want the secret", c.Focused())
		}
		d.secret.TypedKey(&fyneKeyReturn)
		if c.Focused() != d.redirect {
			t.Fatalf("Enter in Client Secret focused %T, want the Redirect URI", c.Focused())
		}
		// Enter in the last field is Next: the missing secret is said, and focused.
		d.redirect.TypedKey(&fyneKeyReturn)
		if messageLevel(d.secretMsg) != levelError || c.Focused() != d.secret {
			t.Fatalf("Next with no secret: message %q, focus %T", d.secretMsg.label.Text, c.Focused())
		}
		if got := d.settings().ClientID; got != "jwEFtDj4ztUBqHtP" {
			t.Fatalf("client ID %q is not trimmed", got)
		}
	})
}

func TestWizardBackAndForth(t *testing.T) {
	h := newHarness(t, deps{})
	h.ui(h.shell.showWelcome)
	h.waitText("Connect your Lightspeed company to your integration.")
	h.tap("Connect my Lightspeed company")
	h.answerProduct("")
	h.waitText("Enter your integration's details")
	h.ui(func() {
		if !h.has("must be registered there exactly") {
			t.Fatal("the details screen does not say the Redirect URI must match")
		}
	})
	h.tap("Back")
	h.waitText("Which Lightspeed do you use?")
	h.tap("Back")
	h.waitText("Connect your Lightspeed company to your integration.")
}

var fyneKeyReturn = fyne.KeyEvent{Name: fyne.KeyReturn}
