package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// picked is the product the question on screen has chosen, "" when no question shows; call
// inside h.ui.
func (h *harness) picked() string {
	q := first(h.roots(), func(*productPicker) bool { return true })
	if q == nil {
		return ""
	}
	return q.chosen().ID
}

// toQuestion goes from the Welcome to "Which Lightspeed do you use?" and returns the
// product it preselects.
func toQuestion(h *harness) string {
	h.t.Helper()
	h.ui(h.shell.showWelcome)
	h.tap("Connect my Lightspeed company")
	h.waitText("Which Lightspeed do you use?")
	var got string
	h.ui(func() { got = h.picked() })
	return got
}

// TestProductQuestionPreselectsOSeriesForAnExistingState: someone who set up the app before
// it knew other products has an O-Series state. The question preselects O-Series for them,
// even when this computer's last unsaved answer was another product: the saved state decides
// until the person answers in this window.
func TestProductQuestionPreselectsOSeriesForAnExistingState(t *testing.T) {
	testenv.Need(t)
	h := newHarness(t, deps{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	core, err := connections.Open(h.shell.deps.options)
	if err != nil {
		t.Fatal(err)
	}
	if err := core.SaveSettings(ctx, connections.Settings{ClientID: "jwEFtDj4ztUBqHtP", ClientSecret: "not-a-real-secret", RedirectURI: connections.SuggestedRedirectURI}); err != nil {
		t.Fatal(err)
	}
	h.app.Preferences().SetString(productPreference, "x-series")
	if got := toQuestion(h); got != connections.DefaultProductID {
		t.Fatalf("an existing state preselects %q, want O-Series", got)
	}
	// An answer given in this window is preselected when the question comes again (Back from
	// the details), over the saved state.
	h.answerProduct("Restaurant K-Series")
	h.waitText("Enter your integration's details")
	h.tap("Back")
	h.waitText("Which Lightspeed do you use?")
	h.ui(func() {
		if got := h.picked(); got != "k-series" {
			t.Errorf("back on the question, it preselects %q, want the answer, k-series", got)
		}
	})
}

// TestProductQuestionRemembersTheAnswer: with nothing saved, the question preselects
// O-Series; an answer is preselected when the question comes again, in this window (Back from
// the details) and in the next one on this computer.
func TestProductQuestionRemembersTheAnswer(t *testing.T) {
	h := newHarness(t, deps{})
	if got := toQuestion(h); got != connections.DefaultProductID {
		t.Fatalf("a fresh start preselects %q, want O-Series", got)
	}
	h.answerProduct("Retail X-Series (formerly Vend)")
	h.waitText("Enter your integration's details")
	h.ui(func() {
		if !h.has("Retail X-Series (formerly Vend)") {
			t.Errorf("the details don't name the product they are for: %q", h.texts())
		}
	})
	h.tap("Back")
	h.waitText("Which Lightspeed do you use?")
	h.ui(func() {
		if got := h.picked(); got != "x-series" {
			t.Errorf("back on the question, it preselects %q, want the answer, x-series", got)
		}
	})

	// The next window on this computer, nothing saved yet: the last answer again.
	var next *harness
	h.ui(func() {
		next = &harness{t: t, app: h.app}
		d := h.shell.deps
		d.do = func(f func()) { next.mu.Lock(); defer next.mu.Unlock(); f() }
		next.win = &closableWindow{Window: test.NewWindow(nil)}
		next.win.Resize(fyne.NewSize(760, 540))
		next.shell = newShell(h.app, next.win, appinfo.Info{Name: "Lightspeed Connect"}, d)
	})
	defer func() { next.ui(next.shell.shutdown); next.shell.work.Wait() }()
	if got := toQuestion(next); got != "x-series" {
		t.Fatalf("the next window preselects %q, want the last answer, x-series", got)
	}
}

// TestProductQuestionByKeyboard: the question has the keyboard when it shows; the arrows move
// the choice (stopping at the ends), a click chooses too, and Enter goes on with the choice.
func TestProductQuestionByKeyboard(t *testing.T) {
	h := newHarness(t, deps{})
	var answer connections.Product
	h.ui(func() {
		h.shell.showProductQuestion(false, defaultProduct(), h.shell.showWelcome, func(p connections.Product) { answer = p })
	})
	press := func(name fyne.KeyName) {
		h.ui(func() {
			f, ok := h.win.Canvas().Focused().(*productPicker)
			if !ok {
				t.Fatalf("the keyboard is on %T, not the question", h.win.Canvas().Focused())
			}
			f.TypedKey(&fyne.KeyEvent{Name: name})
		})
	}
	want := func(id string) {
		t.Helper()
		h.ui(func() {
			if got := h.picked(); got != id {
				t.Fatalf("chosen %q, want %q", got, id)
			}
		})
	}
	press(fyne.KeyUp)
	want("o-series")
	press(fyne.KeyDown)
	press(fyne.KeyDown)
	want("x-series")
	press(fyne.KeyEnd)
	want("r-series")
	press(fyne.KeyDown)
	want("r-series")
	press(fyne.KeyLeft)
	want("x-series")
	h.ui(func() {
		card := first(h.roots(), func(c *productCard) bool { return c.name.Text == "Restaurant K-Series" })
		test.Tap(card)
	})
	want("k-series")
	press(fyne.KeyReturn)
	if answer.ID != "k-series" {
		t.Fatalf("Enter went on with %q, want k-series", answer.ID)
	}
}

// TestDetailsSaveTheChosenProductsIntegration: the details after "Retail X-Series" save the
// X-Series integration (not O-Series'), and the next window's question preselects the saved
// product, whatever the last unsaved answer on this computer was.
func TestDetailsSaveTheChosenProductsIntegration(t *testing.T) {
	testenv.Need(t)
	h := newHarness(t, deps{})
	saved := make(chan struct{}, 1)
	h.ui(func() {
		h.shell.showDetails(mustProduct(t, "x-series"), connections.Settings{}, h.shell.showWelcome, func(*details) { saved <- struct{}{} }, false)
		h.entryWith("").SetText("x-client-id") // the Client ID, first of the empty fields
		h.entryWith("").SetText("not-a-real-secret")
	})
	h.tap("Next")
	select {
	case <-saved:
	case <-time.After(30 * time.Second):
		h.ui(func() { t.Fatalf("the details were not saved: %q", h.texts()) })
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	core, err := connections.Open(h.shell.deps.options)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := core.SavedSettingsFor(ctx, "x-series"); err != nil || s.ClientID != "x-client-id" {
		t.Fatalf("the X-Series integration: %+v, %v", s, err)
	}
	if s, err := core.SavedSettingsFor(ctx, "o-series"); err == nil {
		t.Fatalf("an O-Series integration was saved too: %+v", s)
	}

	next := newHarness(t, deps{options: h.shell.deps.options})
	next.app.Preferences().SetString(productPreference, "r-series")
	if got := toQuestion(next); got != "x-series" {
		t.Fatalf("with the X-Series integration saved, the question preselects %q", got)
	}
}
