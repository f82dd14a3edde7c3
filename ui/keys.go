package ui

import (
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The window's keyboard, beyond what Fyne's widgets do themselves (Tab and Shift+Tab move the
// focus, Space presses a button or ticks a box, arrows move in a list):
//   - Enter presses the focused button; with nothing focused, or in a field that doesn't take
//     Enter itself, it presses the screen's (or the open dialog's) default button: its one
//     primary button.
//   - Escape cancels the open dialog, wherever the focus is in it.
// docs/ux.md has the whole map.

// button is a widget.Button that also answers Enter, like Space, and hands Escape to the
// window, so a dialog closes with the focus on one of its buttons. The primary button also
// draws a ring while it has the focus: Fyne shows a focused button by blending the focus
// colour, a see-through primary colour, over the button, which on a primary button is blue over
// blue and can't be seen.
type button struct {
	widget.Button
	focused bool
}

// FocusGained is called when the keyboard's focus arrives on the button.
func (b *button) FocusGained() {
	b.focused = true
	b.Button.FocusGained()
}

// FocusLost is called when the keyboard's focus leaves the button.
func (b *button) FocusLost() {
	b.focused = false
	b.Button.FocusLost()
}

// CreateRenderer is Fyne's button with the focus ring on top.
func (b *button) CreateRenderer() fyne.WidgetRenderer {
	b.ExtendBaseWidget(b)
	return newFocusRing(b.Button.CreateRenderer(), b, theme.ColorNameForeground, func() bool {
		return b.focused && b.Importance == widget.HighImportance && !b.Disabled()
	})
}

// ringFocus is the focus of a widget that shows it by a ring round itself, in the primary
// colour (keyList, keyScroll): where Fyne's own mark of it would mislead or isn't drawn.
type ringFocus struct {
	focused bool
	ring    *focusRing
}

// ringed is r, w's renderer, with the ring drawn over it while w has the focus.
func (f *ringFocus) ringed(r fyne.WidgetRenderer, w fyne.Widget) fyne.WidgetRenderer {
	f.ring = newFocusRing(r, w, theme.ColorNamePrimary, func() bool { return f.focused })
	return f.ring
}

func (f *ringFocus) setFocused(on bool) {
	f.focused = on
	if f.ring != nil {
		f.ring.update()
	}
}

// focusRing draws a widget as Fyne does, and over it a ring in the colour named while shown
// says so: for the focus where Fyne's own mark of it can't be seen.
type focusRing struct {
	fyne.WidgetRenderer
	w       fyne.Widget
	ring    *canvas.Rectangle
	colour  fyne.ThemeColorName
	shown   func() bool
	objects []fyne.CanvasObject
}

func newFocusRing(r fyne.WidgetRenderer, w fyne.Widget, colour fyne.ThemeColorName, shown func() bool) *focusRing {
	f := &focusRing{WidgetRenderer: r, w: w, ring: canvas.NewRectangle(color.Transparent), colour: colour, shown: shown}
	f.ring.StrokeWidth = 2
	f.objects = append(slices.Clip(r.Objects()), f.ring)
	f.update()
	return f
}

func (r *focusRing) Layout(size fyne.Size) {
	r.WidgetRenderer.Layout(size)
	r.ring.Move(fyne.NewPos(0, 0))
	r.ring.Resize(size)
}

func (r *focusRing) Objects() []fyne.CanvasObject { return r.objects }

func (r *focusRing) Refresh() {
	r.WidgetRenderer.Refresh()
	r.objects = append(slices.Clip(r.WidgetRenderer.Objects()), r.ring)
	r.update()
}

// update shows or hides the ring, in the theme's colours of the moment.
func (r *focusRing) update() {
	th := fyne.CurrentApp().Settings().Theme()
	if t, ok := r.w.(interface{ Theme() fyne.Theme }); ok {
		th = t.Theme()
	}
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.ring.StrokeColor = th.Color(r.colour, v)
	r.ring.CornerRadius = th.Size(theme.SizeNameInputRadius)
	r.ring.Hidden = !r.shown()
	r.ring.Refresh()
}

// newButton is a button with the text, an icon (or nil) and what it does.
func newButton(text string, icon fyne.Resource, tapped func()) *button {
	b := &button{}
	b.Text, b.Icon, b.OnTapped = text, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// primaryButton is a button in the primary colour: the screen's default, which Enter presses.
func primaryButton(text string, icon fyne.Resource, tapped func()) *button {
	b := newButton(text, icon, tapped)
	b.Importance = widget.HighImportance
	return b
}

// TypedKey presses the button on Enter as on Space, and hands Escape to the window.
func (b *button) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() {
			b.Tapped(&fyne.PointEvent{})
		}
	case fyne.KeyEscape:
		toWindow(b, ev)
	default:
		b.Button.TypedKey(ev)
	}
}

// toWindow hands a key the focused widget doesn't use to the window's own key handler, as if
// nothing were focused.
func toWindow(o fyne.CanvasObject, ev *fyne.KeyEvent) {
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	if c := app.Driver().CanvasForObject(o); c != nil {
		if f := c.OnTypedKey(); f != nil {
			f(ev)
		}
	}
}

// openDialog is a dialog on the window, and what Escape and Enter do to it.
type openDialog struct {
	dlg    dialog.Dialog
	cancel func()
	def    *button // pressed by Enter; nil: none
}

// track notes d as open until it closes, with cancel as its Escape (nil: Escape hides it)
// and def as its default button, which Enter presses. Dialogs stack: the keys go to the top
// one.
func (s *shell) track(d dialog.Dialog, cancel func(), def *button) {
	if cancel == nil {
		cancel = d.Hide
	}
	s.dialogs = append(s.dialogs, openDialog{dlg: d, cancel: cancel, def: def})
	d.SetOnClosed(func() {
		for i := len(s.dialogs) - 1; i >= 0; i-- {
			if s.dialogs[i].dlg == d {
				s.dialogs = append(s.dialogs[:i], s.dialogs[i+1:]...)
				break
			}
		}
	})
}

// listenToWindowKeys gives the window the keys no focused widget takes: Escape cancels the
// open dialog, Enter presses the default button, and the rest go to the screen (the
// dashboard's list takes its arrows and Enter).
func (s *shell) listenToWindowKeys() {
	s.win.Canvas().SetOnTypedKey(s.typedKey)
}

func (s *shell) typedKey(ev *fyne.KeyEvent) {
	if overlays := s.win.Canvas().Overlays().List(); len(overlays) > 0 {
		// Only when every overlay is a dialog known here: never cancel the one under it.
		if n := len(s.dialogs); n > 0 && n == len(overlays) {
			top := s.dialogs[n-1]
			switch ev.Name {
			case fyne.KeyEscape:
				top.cancel()
			case fyne.KeyReturn, fyne.KeyEnter:
				if top.def != nil && top.def.Visible() && !top.def.Disabled() {
					top.def.Tapped(&fyne.PointEvent{})
				}
			}
		}
		return
	}
	if s.screenKeys != nil && s.screenKeys(ev) {
		return
	}
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		pressDefault(s.win.Canvas().Content())
	}
}

// submitDefault is Enter in a field that has nothing of its own to do on Enter: the default
// button of the field's screen or dialog.
func submitDefault(o fyne.CanvasObject) func(string) {
	return func(string) { toWindow(o, &fyne.KeyEvent{Name: fyne.KeyReturn}) }
}

// pressDefault presses the visible, enabled primary button under root, if there is one.
func pressDefault(root fyne.CanvasObject) {
	if b := defaultButton(root); b != nil {
		b.Tapped(&fyne.PointEvent{})
	}
}

// defaultButton is the visible, enabled primary button under root, or nil.
func defaultButton(root fyne.CanvasObject) *widget.Button {
	var found *widget.Button
	walkVisible(root, func(o fyne.CanvasObject) bool {
		var b *widget.Button
		switch x := o.(type) {
		case *button:
			b = &x.Button
		case *widget.Button:
			b = x
		}
		if b != nil && found == nil && b.Importance == widget.HighImportance && !b.Disabled() {
			found = b
		}
		return found == nil
	})
	return found
}

// walkVisible visits the visible objects under o, depth first, while fn returns true: the
// containers' objects and a scroll's content, not the insides of other widgets.
func walkVisible(o fyne.CanvasObject, fn func(fyne.CanvasObject) bool) bool {
	if o == nil || !o.Visible() {
		return true
	}
	if !fn(o) {
		return false
	}
	var children []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		children = x.Objects
	case *container.Scroll:
		children = []fyne.CanvasObject{x.Content}
	case *keyScroll:
		children = []fyne.CanvasObject{x.Content}
	}
	for _, c := range children {
		if !walkVisible(c, fn) {
			return false
		}
	}
	return true
}

// keyButton is b as a button that answers Enter and hands Escape to the window.
func keyButton(b *widget.Button) *button {
	k := newButton(b.Text, b.Icon, b.OnTapped)
	k.Importance, k.Alignment, k.IconPlacement = b.Importance, b.Alignment, b.IconPlacement
	return k
}

// field is a one-line text field that hands Escape to the window (a widget.Entry keeps it),
// so a dialog closes with the focus in one of its fields.
type field struct {
	widget.Entry
}

func newField(text string) *field {
	f := &field{}
	f.Text = text
	f.ExtendBaseWidget(f)
	return f
}

func (f *field) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		toWindow(f, ev)
		return
	}
	f.Entry.TypedKey(ev)
}

// tick is a check box that hands Enter (the default button) and Escape to the window; Space
// ticks it.
type tick struct {
	widget.Check
}

func newTick(text string, checked bool, changed func(bool)) *tick {
	t := &tick{}
	t.Text, t.Checked, t.OnChanged = text, checked, changed
	t.ExtendBaseWidget(t)
	return t
}

func (t *tick) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape, fyne.KeyReturn, fyne.KeyEnter:
		toWindow(t, ev)
	default:
		t.Check.TypedKey(ev)
	}
}
