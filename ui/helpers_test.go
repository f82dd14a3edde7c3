package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
)

// harness is the window under test: a shell on a test window over a temporary state
// directory and its own keyring service. The test app runs fyne.Do at once on the calling
// goroutine, so the harness serialises the UI itself: background work comes back through
// deps.do, and the test touches widgets only inside h.ui.
type harness struct {
	t     *testing.T
	mu    sync.Mutex
	app   fyne.App
	win   *closableWindow
	shell *shell
}

func newHarness(t *testing.T, d deps) *harness {
	t.Helper()
	h := &harness{t: t, app: test.NewTempApp(t)}
	if d.options.Dir == "" {
		d.options.Dir, d.options.Service = t.TempDir(), testenv.ServiceName(t)
	}
	d.do = func(f func()) {
		h.mu.Lock()
		defer h.mu.Unlock()
		f()
	}
	if d.open == nil {
		d.open = func(string) error { return nil }
	}
	h.ui(func() {
		h.win = &closableWindow{Window: test.NewWindow(nil)}
		h.win.Resize(fyne.NewSize(760, 540))
		h.shell = newShell(h.app, h.win, appinfo.Info{Name: "Lightspeed Connect", Version: "0.0.0-test"}, d)
	})
	t.Cleanup(func() {
		h.ui(func() { h.shell.shutdown() })
		h.shell.work.Wait()
	})
	return h
}

// closableWindow is a test window that keeps the close intercept the shell sets, so a test
// can click the window's close button the way the window manager would.
type closableWindow struct {
	fyne.Window
	intercept func()
	closed    bool
	hidden    bool   // closed to the tray: Hide was called since the last Show
	onClose   func() // when set, runs as Close is called, as the app would exit
}

func (w *closableWindow) Hide() { w.hidden = true; w.Window.Hide() }

func (w *closableWindow) Show() { w.hidden = false; w.Window.Show() }

func (w *closableWindow) SetCloseIntercept(f func()) {
	w.intercept = f
	w.Window.SetCloseIntercept(f)
}

func (w *closableWindow) Close() {
	if w.onClose != nil {
		w.onClose()
	}
	w.closed = true
	w.Window.Close()
}

// clickClose is the window's close button: the intercept when one is set; call inside h.ui.
func (w *closableWindow) clickClose() {
	if w.intercept == nil {
		w.Close()
		return
	}
	w.intercept()
}

// ui runs f as the UI goroutine would.
func (h *harness) ui(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f()
}

// waitFor polls cond (on the UI) until it holds, for up to 30 s.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ok bool
		h.ui(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var shown []string
			h.ui(func() { shown = h.texts() })
			h.t.Fatalf("gave up waiting for %s; the window shows: %q", what, shown)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitText waits until some visible text contains want.
func (h *harness) waitText(want string) {
	h.t.Helper()
	h.waitFor(fmt.Sprintf("%q", want), func() bool { return h.has(want) })
}

// has reports whether some visible text contains want; call inside h.ui.
func (h *harness) has(want string) bool {
	for _, s := range h.texts() {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

// texts are the visible texts of the window and its dialogs; call inside h.ui.
func (h *harness) texts() []string {
	var out []string
	visit(h.roots(), func(o fyne.CanvasObject) bool {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
			return false
		case *widget.Button:
			out = append(out, x.Text)
			return false
		case *button:
			out = append(out, x.Text)
			return false
		case *widget.Entry, *field:
			return false // what was typed or pasted may be secret, and failures print texts
		case *canvas.Text:
			out = append(out, x.Text)
		}
		return true
	})
	return out
}

func (h *harness) roots() []fyne.CanvasObject {
	c := h.win.Canvas()
	return append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
}

// button finds the visible button with the text (the top dialog's first); call inside h.ui.
func (h *harness) button(text string) *widget.Button {
	roots := h.roots()
	for i := len(roots) - 1; i >= 0; i-- {
		var found *widget.Button
		visit(roots[i:i+1], func(o fyne.CanvasObject) bool {
			if b := asButton(o); b != nil && found == nil && b.Text == text {
				found = b
			}
			return found == nil
		})
		if found != nil {
			return found
		}
	}
	return nil
}

// tap taps the button with the text, failing when there is none or it is disabled.
func (h *harness) tap(text string) {
	h.t.Helper()
	h.waitFor("an enabled button "+text, func() bool {
		b := h.button(text)
		return b != nil && !b.Disabled()
	})
	h.ui(func() { test.Tap(h.button(text)) })
}

// first is the first visible widget of type T among objs that match accepts, or nil.
func first[T fyne.CanvasObject](objs []fyne.CanvasObject, match func(T) bool) T {
	var found T
	var ok bool
	visit(objs, func(o fyne.CanvasObject) bool {
		if x, is := o.(T); is && !ok && match(x) {
			found, ok = x, true
		}
		return !ok
	})
	return found
}

// label is the visible label that contains text; call inside h.ui.
func (h *harness) label(text string) *widget.Label {
	return first(h.roots(), func(l *widget.Label) bool { return strings.Contains(l.Text, text) })
}

// entryWith is the visible entry whose text is text; call inside h.ui.
func (h *harness) entryWith(text string) *widget.Entry {
	var found *widget.Entry
	visit(h.roots(), func(o fyne.CanvasObject) bool {
		switch e := o.(type) {
		case *widget.Entry:
			if e.Text == text && found == nil {
				found = e
			}
		case *field:
			if e.Text == text && found == nil {
				found = &e.Entry
			}
		}
		return found == nil
	})
	return found
}

// visit walks visible objects depth first; fn returns false to skip an object's children.
func visit(objs []fyne.CanvasObject, fn func(fyne.CanvasObject) bool) {
	for _, o := range objs {
		if o == nil || !o.Visible() || !fn(o) {
			continue
		}
		switch x := o.(type) {
		case *fyne.Container:
			visit(x.Objects, fn)
		case fyne.Widget:
			visit(test.WidgetRenderer(x).Objects(), fn)
		}
	}
}

// toPracticeDetails goes from the Welcome to the practice server's prefilled details.
func toPracticeDetails(h *harness) {
	h.t.Helper()
	h.ui(h.shell.showWelcome)
	h.tap("Practice with a demo company")
	h.answerProduct("")
	h.waitText("Enter your integration's details")
}

// connectPractice connects the practice server's company from a fresh start, the way a person
// would, and waits for the Connected screen's "✓ Connected: " + name ("" for any name).
func connectPractice(h *harness, errs <-chan error, name string) {
	h.t.Helper()
	h.ui(h.shell.start)
	h.waitText("Practice with a demo company")
	h.tap("Practice with a demo company")
	h.answerProduct("")
	h.waitText("Enter your integration's details")
	h.tap("Next")
	h.waitTextUnless(errs, "✓ Connected: "+name)
}

// answerProduct answers "Which Lightspeed do you use?": it clicks the card of the product
// named name ("" keeps the preselected one), then Next.
func (h *harness) answerProduct(name string) {
	h.t.Helper()
	h.waitText("Which Lightspeed do you use?")
	if name != "" {
		h.ui(func() {
			card := first(h.roots(), func(c *productCard) bool { return c.name.Text == name })
			if card == nil {
				h.t.Fatalf("no card for %q: %q", name, h.texts())
			}
			test.Tap(card)
		})
	}
	h.tap("Next")
}

// consentOpener is an opener that grants access for the company at index, the way the
// browser would after the window opened it; failures go to errs.
func consentOpener(index int, grant bool, errs chan<- error) func(string) error {
	return inBrowser(errs, func(ctx context.Context, authURL string) error {
		return testenv.Browser(ctx, authURL, index, grant, nil)
	})
}

// inBrowser is an opener that runs play in a goroutine, as the browser works beside the
// window; failures go to errs.
func inBrowser(errs chan<- error, play func(ctx context.Context, authURL string) error) func(string) error {
	return func(authURL string) error {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := play(ctx, authURL); err != nil {
				errs <- err
			}
		}()
		return nil
	}
}

// waitTextUnless waits for want like waitText, failing at once when the browser fails.
func (h *harness) waitTextUnless(errs <-chan error, want string) {
	h.t.Helper()
	h.waitFor(fmt.Sprintf("%q", want), func() bool {
		select {
		case err := <-errs:
			h.t.Fatalf("browser: %v", err)
		default:
		}
		return h.has(want)
	})
}

// asButton is o's button, whether a widget.Button or the window's own kind; else nil.
func asButton(o fyne.CanvasObject) *widget.Button {
	switch b := o.(type) {
	case *widget.Button:
		return b
	case *button:
		return &b.Button
	}
	return nil
}
