package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestKeyboardAloneEndToEnd goes from a fresh start to an export with the keyboard alone:
// Welcome, the details (typing the Client ID, Secret and Redirect URI, opening Advanced and
// setting the pace), Grant Access (the practice server plays the browser), Connected, the
// dashboard, search, a company chosen with the arrows, Check, and Export with its format
// chosen and confirmed; Escape then closes the dialog it opens. Every step is a key event as
// the desktop driver delivers it (Tab, Shift+Tab, Enter, Space, Escape, arrows, typed text,
// Backspace): nothing is tapped. It fails when a control can't be reached with Tab, when the
// focus is on something not shown, or when a key does nothing.
func TestKeyboardAloneEndToEnd(t *testing.T) {
	testenv.Need(t)
	errs := make(chan error, 1)
	h := newHarness(t, deps{open: consentOpener(0, true, errs)})
	k := &keyboard{h: h}
	h.ui(h.shell.start)
	h.waitText("Connect your Lightspeed company to your integration.")

	// Welcome: Tab to the practice button, Enter. The product question has the keyboard:
	// Down and Up move the choice, Enter goes on with O-Series.
	k.tabTo("Practice with a demo company", isButton("Practice with a demo company"))
	k.press(fyne.KeyReturn)
	h.waitText("Which Lightspeed do you use?")
	k.expectFocus("the product question", func(f fyne.Focusable) bool { _, ok := f.(*productPicker); return ok })
	k.press(fyne.KeyDown)
	k.press(fyne.KeyUp)
	k.press(fyne.KeyReturn)
	h.waitText("Enter your integration's details")

	// The details: each field emptied and typed.
	var want connections.Settings
	h.ui(func() { want = h.shell.practice.server.Settings })
	for _, f := range []struct{ name, text string }{
		{"Client ID", want.ClientID}, {"Client Secret", want.ClientSecret}, {"Redirect URI", want.RedirectURI},
	} {
		k.tabTo(f.name, isEntryAfter(h, f.name))
		k.clear()
		k.typeText(f.text)
	}
	// Shift+Tab goes back to the secret's Show button: Space shows the secret, Space hides it.
	k.press(fyne.KeyTab, fyne.KeyModifierShift)
	k.expectFocus("the secret's Show button", func(f fyne.Focusable) bool { b, ok := f.(*button); return ok && (b.Text == "Show" || b.Text == "Hide") })
	secretHidden := func(want bool) {
		t.Helper()
		h.ui(func() {
			var secret *widget.Entry // the one field with an action item in place of Fyne's eye
			visit(h.roots(), func(o fyne.CanvasObject) bool {
				if x, ok := o.(*widget.Entry); ok && x.ActionItem != nil {
					secret = x
				}
				return secret == nil
			})
			if secret == nil || secret.Password != want {
				t.Fatalf("the Client Secret hidden: want %v", want)
			}
		})
	}
	k.press(fyne.KeySpace)
	secretHidden(false)
	k.press(fyne.KeySpace)
	secretHidden(true)
	// Shift+Tab goes back a field and Tab forward again, past the Show button.
	k.press(fyne.KeyTab, fyne.KeyModifierShift)
	k.expectFocus("Client Secret", isEntryAfter(h, "Client Secret"))
	k.press(fyne.KeyTab)
	k.press(fyne.KeyTab)
	k.expectFocus("Redirect URI", isEntryAfter(h, "Redirect URI"))

	// Advanced: closed; Tab to its title, Space opens it, Tab to the pace, type 60.
	k.tabTo("the Advanced title", isButton(advancedTitle))
	k.press(fyne.KeySpace)
	h.ui(func() {
		if !h.has(connections.AdvancedSettings()[0].When) {
			t.Fatal("Space on Advanced did not open it")
		}
	})
	k.tabTo("the API pace", isEntryAfter(h, "API pace"))
	k.clear()
	k.typeText("60")
	k.tabTo("Next", isButton("Next"))
	k.press(fyne.KeyReturn)

	// Grant Access happens in the browser; Connected: Tab to Done, Enter.
	h.waitTextUnless(errs, "✓ Connected: Harbour Burgers Pty Ltd")
	k.tabTo("Done", isButton("Done"))
	k.press(fyne.KeyReturn)
	h.waitText("Check all")
	h.waitText("API pace: 60 requests a minute")

	// Search, then the list with the arrows.
	k.waitEnabled("Check")
	k.tabTo("the search box", func(f fyne.Focusable) bool { _, ok := f.(*searchEntry); return ok })
	k.typeText("Harbour")
	k.press(fyne.KeyReturn)
	k.expectFocus("the company list", func(f fyne.Focusable) bool { _, ok := f.(*keyList); return ok })
	k.press(fyne.KeyDown)
	k.press(fyne.KeyUp)
	h.ui(func() {
		if cs, ok := h.shell.dash.status(h.shell.dash.selected); !ok || cs.Name != "Harbour Burgers Pty Ltd" {
			t.Fatalf("the arrows selected %+v", cs)
		}
	})

	// Check the selected company.
	k.tabTo("Check", isButton("Check"))
	k.press(fyne.KeyReturn)
	h.waitFor("the check to start and end", func() bool {
		b := h.button("Check")
		return b != nil && !b.Disabled() && h.has("checked just now")
	})

	// Export: the dialog, its format chosen with Space, the file typed, confirmed with Enter.
	path := filepath.Join(t.TempDir(), "tokens.env")
	k.tabTo("Export…", isButton("Export…"))
	k.press(fyne.KeyReturn)
	h.waitText("Export tokens")
	k.tabTo("the .env format", isRadioChoice(h, ".env"))
	k.press(fyne.KeySpace)
	k.tabTo("the File field", isEntryAfter(h, "File"))
	k.clear()
	k.typeText(path)
	k.tabTo("Export", isButton("Export"))
	k.press(fyne.KeyReturn)
	h.waitText("Saved to " + path)
	k.press(fyne.KeyReturn) // OK, the default button
	k.expectNoDialog()
	if data, err := os.ReadFile(path); err != nil || !strings.Contains(string(data), "=") {
		t.Fatalf("the export is not a .env file: %v\n%d bytes", err, len(data))
	}

	// Escape cancels the export dialog, wherever the focus is in it.
	for _, at := range []string{"", "Choose…", "File"} {
		k.tabTo("Export…", isButton("Export…"))
		k.press(fyne.KeyReturn)
		h.waitText("Export tokens")
		switch at {
		case "File":
			k.tabTo(at, isEntryAfter(h, at))
		case "Choose…":
			k.tabTo(at, isButton(at))
		}
		k.press(fyne.KeyEscape)
		k.h.t.Logf("Escape with the focus on %q", at)
		k.expectNoDialog()
	}
}

// keyboard sends key events to the harness's window the way Fyne's desktop driver does.
type keyboard struct{ h *harness }

// press sends one key: Tab and Shift+Tab move the focus (unless the focused widget takes
// Tab); another key goes to the focused widget (KeyDown, TypedKey, and a typed space for
// Space), or to the window's own handler when nothing is focused.
func (k *keyboard) press(name fyne.KeyName, mods ...fyne.KeyModifier) {
	k.h.t.Helper()
	shift := len(mods) > 0 && mods[0] == fyne.KeyModifierShift
	k.h.ui(func() {
		c := k.h.win.Canvas()
		focused := c.Focused()
		ev := &fyne.KeyEvent{Name: name}
		if name == fyne.KeyTab {
			if t, ok := focused.(fyne.Tabbable); !ok || !t.AcceptsTab() {
				if shift {
					c.FocusPrevious()
				} else {
					c.FocusNext()
				}
				return
			}
		}
		if kd, ok := focused.(desktop.Keyable); ok {
			kd.KeyDown(ev)
		}
		if focused != nil {
			focused.TypedKey(ev)
		} else if f := c.OnTypedKey(); f != nil {
			f(ev)
		}
		if name == fyne.KeySpace {
			if focused = c.Focused(); focused != nil {
				focused.TypedRune(' ')
			} else if f := c.OnTypedRune(); f != nil {
				f(' ')
			}
		}
		if kd, ok := c.Focused().(desktop.Keyable); ok {
			kd.KeyUp(ev)
		}
	})
}

// typeText types text into the focused widget, as the keyboard would.
func (k *keyboard) typeText(text string) {
	k.h.t.Helper()
	k.h.ui(func() {
		focused := k.h.win.Canvas().Focused()
		if focused == nil {
			k.h.t.Fatalf("typing %d characters with nothing focused", len(text))
		}
		for _, r := range text {
			focused.TypedRune(r)
		}
	})
}

// clear empties the focused field with End and Backspace.
func (k *keyboard) clear() {
	k.h.t.Helper()
	n := 0
	k.h.ui(func() {
		switch e := k.h.win.Canvas().Focused().(type) {
		case *widget.Entry:
			n = len([]rune(e.Text))
		case *field:
			n = len([]rune(e.Text))
		}
	})
	k.press(fyne.KeyEnd)
	for range n {
		k.press(fyne.KeyBackspace)
	}
}

// tabTo presses Tab until the focus is on what match accepts, checking at each step that the
// focus is on something shown; it fails when Tab goes round without reaching it.
func (k *keyboard) tabTo(what string, match func(fyne.Focusable) bool) {
	k.h.t.Helper()
	const most = 60
	for i := 0; i < most; i++ {
		var done bool
		k.h.ui(func() { done = match(k.h.win.Canvas().Focused()) })
		if done {
			return
		}
		k.press(fyne.KeyTab)
		k.expectVisibleFocus()
	}
	k.h.t.Fatalf("Tab never reaches %s in %d presses: it would take the pointer", what, most)
}

// expectFocus fails unless the focus is on what match accepts.
func (k *keyboard) expectFocus(what string, match func(fyne.Focusable) bool) {
	k.h.t.Helper()
	k.h.ui(func() {
		if f := k.h.win.Canvas().Focused(); !match(f) {
			k.h.t.Fatalf("the focus is on %T, not on %s", f, what)
		}
	})
}

// expectVisibleFocus fails when the focus is nowhere or on something not shown.
func (k *keyboard) expectVisibleFocus() {
	k.h.t.Helper()
	k.h.ui(func() {
		f := k.h.win.Canvas().Focused()
		if f == nil {
			k.h.t.Fatal("Tab left nothing focused")
		}
		shown := false
		visit(k.h.roots(), func(o fyne.CanvasObject) bool {
			if o == f.(fyne.CanvasObject) {
				shown = true
			}
			return !shown
		})
		if !shown {
			k.h.t.Fatalf("the focus is on a %T that is not shown", f)
		}
	})
}

// expectNoDialog fails while a dialog is still open.
func (k *keyboard) expectNoDialog() {
	k.h.t.Helper()
	k.h.waitFor("the dialog to close", func() bool { return k.h.win.Canvas().Overlays().Top() == nil })
}

// waitEnabled waits until the button with the text is there and enabled.
func (k *keyboard) waitEnabled(text string) {
	k.h.t.Helper()
	k.h.waitFor("an enabled "+text, func() bool { b := k.h.button(text); return b != nil && !b.Disabled() })
}

// isButton matches the button with the text.
func isButton(text string) func(fyne.Focusable) bool {
	return func(f fyne.Focusable) bool {
		o, ok := f.(fyne.CanvasObject)
		b := asButton(o)
		return ok && b != nil && b.Text == text
	}
}

// isEntryAfter matches the field in the row labelled label (a form's label, then its field).
func isEntryAfter(h *harness, label string) func(fyne.Focusable) bool {
	return func(f fyne.Focusable) bool {
		if f == nil {
			return false
		}
		var seenLabel, match bool
		visit(h.roots(), func(o fyne.CanvasObject) bool {
			switch x := o.(type) {
			case *widget.Label:
				if x.Text == label {
					seenLabel = true
				}
			case *widget.Entry, *field:
				if seenLabel && !match {
					match = x.(fyne.Focusable) == f
					seenLabel = false
				}
			}
			return !match
		})
		return match
	}
}

// isRadioChoice matches the choice of the open dialog's radio group that reads text.
func isRadioChoice(h *harness, text string) func(fyne.Focusable) bool {
	return func(f fyne.Focusable) bool {
		if f == nil || fmt.Sprintf("%T", f) != "*widget.radioItem" {
			return false
		}
		var label string
		visit([]fyne.CanvasObject{f.(fyne.CanvasObject)}, func(o fyne.CanvasObject) bool {
			if t, ok := o.(*canvas.Text); ok && label == "" {
				label = t.Text
			}
			return true
		})
		return label == text
	}
}

// TestEnterPressesTheDefaultAndEscapeCancels: with nothing focused Enter presses the screen's
// primary button; in a question, Escape answers no, Enter yes, and Enter on the focused No
// button answers no.
func TestEnterPressesTheDefaultAndEscapeCancels(t *testing.T) {
	h := newHarness(t, deps{})
	k := &keyboard{h: h}
	h.ui(h.shell.showWelcome)
	k.press(fyne.KeyReturn)
	h.waitText("Which Lightspeed do you use?")
	k.press(fyne.KeyReturn)
	h.waitText("Enter your integration's details")

	yes := 0
	ask := func() {
		h.ui(func() { h.shell.confirm("Remove it?", "It goes for good.", "Remove", "Keep", func() { yes++ }) })
		h.waitText("It goes for good.")
	}
	ask()
	k.press(fyne.KeyEscape)
	k.expectNoDialog()
	ask()
	k.tabTo("Keep", isButton("Keep"))
	k.press(fyne.KeyReturn)
	k.expectNoDialog()
	if yes != 0 {
		t.Fatalf("Escape or Enter on Keep answered yes %d time(s)", yes)
	}
	ask()
	k.press(fyne.KeyReturn)
	k.expectNoDialog()
	if yes != 1 {
		t.Fatalf("Enter answered yes %d time(s), want once", yes)
	}
}

// TestDashboardTabFollowsReadingOrder tabs round the dashboard of two products with
// companies ticked: the top bar (the summary's parts, the search, the product filter), the bulk bar, the list as one stop (no row's tick box), the pane's actions left to
// right, then the bottom bar; and Down in the list takes Fyne's focus mark with the selection.
func TestDashboardTabFollowsReadingOrder(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	statuses := manyStatuses(40, 10, 20)
	for _, p := range connections.Products() { // a second product: the product filter shows
		if p.ID != statusProduct(statuses[0]).ID {
			statuses[3].Product = p
			break
		}
	}
	d := showStatuses(h, statuses)
	var got []string
	h.ui(func() {
		d.choose(d.statuses[0].ID, true)
		c := h.win.Canvas()
		c.Unfocus()
		for range 30 {
			c.FocusNext()
			var name string
			switch f := c.Focused().(type) {
			case *button:
				name = f.Text
			case *searchEntry:
				name = "search"
			case *widget.Select:
				name = "product filter"
			case *keyList:
				name = "list"
			case *widget.Check:
				name = "a tick box"
				if f == d.list.header.untick {
					name = "untick"
				}
			default:
				name = fmt.Sprintf("%T", f)
			}
			if len(got) > 0 && name == got[0] {
				break
			}
			got = append(got, name)
		}
	})
	i := func(name string) int { return slices.Index(got, name) }
	order := []string{"search", "product filter", "untick", "Check chosen", "Export chosen…", "Disconnect chosen…", "list", "Check", "Export…", "Disconnect…", "Check all", "More", "Connect another company"}
	for n := 1; n < len(order); n++ {
		if i(order[n-1]) < 0 || i(order[n]) < i(order[n-1]) {
			t.Fatalf("Tab order %q: %q should come before %q", got, order[n-1], order[n])
		}
	}
	t.Logf("Tab order: %q", got)
	if slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "a tick box") || strings.HasPrefix(s, "*") }) {
		t.Fatalf("Tab stops on a row's tick box or another control: %q", got)
	}
	if i("search") < 1 {
		t.Fatalf("the summary's parts don't come before the search: %q", got)
	}
	// Down in the list: the selection moves, the ring is round the list, and no row keeps a
	// grey mark of Fyne's where the arrows started.
	h.ui(func() {
		h.win.Canvas().Focus(d.list.list)
		d.list.handleKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		d.list.handleKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		hover := theme.Color(theme.ColorNameHover)
		selection := theme.Color(theme.ColorNameSelection)
		var marked, selected int
		visit([]fyne.CanvasObject{d.list.list}, func(o fyne.CanvasObject) bool {
			if r, ok := o.(*canvas.Rectangle); ok && r.Visible() {
				switch r.FillColor {
				case hover:
					marked++
				case selection:
					selected++
				}
			}
			return true
		})
		if row := d.shownIndex(d.selected); row != 2 || selected != 1 || marked != 0 {
			t.Fatalf("after Down twice: row %d selected, %d rows in the selection's colour, %d in Fyne's focus mark", row, selected, marked)
		}
		if d.list.list.ring.ring.Hidden {
			t.Fatal("the focused list has no ring")
		}
	})
}

// TestDetailsPaneWordsByKeyboard: a company with twenty sites, some out of sight, in the
// window's own size. Its settings line shows without scrolling; the pane's words, which
// don't fit, take a Tab stop and scroll with Down, End and Home; a company whose words fit
// adds no Tab stop.
func TestDetailsPaneWordsByKeyboard(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	statuses := manyStatuses(3)
	big := &statuses[slices.IndexFunc(statuses, func(cs connections.CompanyStatus) bool { return cs.Name == "Model Company 000" })]
	big.Sites = nil
	for i := range 20 {
		big.Sites = append(big.Sites, connections.Site{ID: int64(100 + i), Name: fmt.Sprintf("Harbour Street Store number %d", i)})
	}
	total := 22
	big.SitesVisible, big.SitesTotal = 20, &total
	big.Settings = connections.SettingValues{"requests_per_minute": 60, "pkce": true}
	d := showStatuses(h, statuses)
	inChain := func() bool {
		c := h.win.Canvas()
		c.Unfocus()
		for range 40 {
			c.FocusNext()
			if c.Focused() == d.details.words {
				return true
			}
		}
		return false
	}
	h.ui(func() {
		d.selectID(big.ID)
		p := d.details
		if !h.has("API pace: 60 requests a minute") || len(big.Notes()) == 0 {
			t.Fatalf("the pane lacks the settings or the note: %q", h.texts())
		}
		if bottom := p.settings.Position().Y + p.settings.Size().Height; bottom > p.words.Size().Height {
			t.Fatalf("the settings line ends at %v, below the pane's %v", bottom, p.words.Size().Height)
		}
		if !inChain() {
			t.Fatal("Tab never reaches the pane's words, which don't fit")
		}
		for _, step := range []struct {
			key  fyne.KeyName
			want func(y float32) bool
		}{
			{fyne.KeyDown, func(y float32) bool { return y > 0 }},
			{fyne.KeyEnd, func(y float32) bool { return y == p.words.Content.MinSize().Height-p.words.Size().Height }},
			{fyne.KeyHome, func(y float32) bool { return y == 0 }},
		} {
			p.words.TypedKey(&fyne.KeyEvent{Name: step.key})
			if y := p.words.Offset.Y; !step.want(y) {
				t.Fatalf("after %s the words are scrolled to %v", step.key, y)
			}
		}
		d.selectID(d.statuses[d.shown[1]].ID)
		if inChain() {
			t.Fatalf("the pane's words take a Tab stop while they fit: %v in %v, %q", d.details.words.Content.MinSize(), d.details.words.Size(), h.texts())
		}
	})
}
