package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// attempt is what the waiting screen needs of a connect attempt; *connections.Attempt is one.
type attempt interface {
	AuthURL() string
	Catchable() bool
	Deadline() time.Time
	TimedOut() error
	Wait(ctx context.Context) (*connections.Connected, error)
	Paste(ctx context.Context, landed string) (*connections.Connected, error)
	Close()
}

// waiting opens Lightspeed's consent page and waits for the answer, with the time left and
// a way out.
type waiting struct {
	shell  *shell
	core   *connections.Core
	opts   connections.ConnectOptions
	onBack func()

	ctx      context.Context
	cancel   context.CancelFunc
	att      attempt
	total    time.Duration
	finished bool

	headline                       *widget.Label
	progress                       *widget.ProgressBar
	openAgain, copyLink, cancelBtn *button
	paste                          *widget.Entry
	usePaste                       *button
	pasteMsg                       *fieldMessage
	pasteBox                       *fyne.Container
}

// showWaiting starts a connect attempt (a reconnect when opts.Reconnect is set); Cancel and
// Back go to onBack.
func (s *shell) showWaiting(opts connections.ConnectOptions, onBack func()) {
	w := newWaiting(s, opts, onBack)
	s.show(w.content())
	w.begin()
}

// connectFromDetails is the wizard's step after the details are saved.
func (s *shell) connectFromDetails(d *details) {
	s.showWaiting(connectOptions(d.product), func() { s.show(d.content()) })
}

// connectAnother connects a company of product p from the dashboard: at once with its saved
// integration, or after its details when none are saved yet.
func (s *shell) connectAnother(p connections.Product) {
	s.showLoading("Reading the saved settings…")
	core := s.real
	s.spawn(func() {
		_, err := settingsOf(s.ctx, core, p)
		s.deps.do(func() {
			if err == nil {
				s.showWaiting(connectOptions(p), s.loadDashboard)
				return
			}
			back := func() { s.askProduct(false, s.loadDashboard, s.connectAnother) }
			s.loadDetails(p, back, s.connectFromDetails, false)
		})
	})
}

func newWaiting(s *shell, opts connections.ConnectOptions, onBack func()) *waiting {
	if opts.Timeout == 0 {
		opts.Timeout = s.deps.connectTimeout
	}
	w := &waiting{shell: s, core: s.core(), opts: opts, onBack: onBack, pasteMsg: newFieldMessage()}
	w.ctx, w.cancel = context.WithCancel(s.ctx)
	w.headline = heading("Getting ready…")
	w.progress = &widget.ProgressBar{Max: 1, TextFormatter: w.timeLeftText}
	w.openAgain = keyButton(&widget.Button{Text: "Open the page again", Icon: theme.ComputerIcon(), OnTapped: w.onOpenAgainClicked})
	w.copyLink = keyButton(&widget.Button{Text: "Copy link", Icon: theme.ContentCopyIcon(), OnTapped: w.onCopyLinkClicked})
	w.cancelBtn = keyButton(&widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: w.onCancelClicked})
	w.paste = &widget.Entry{PlaceHolder: "http://…/callback?code=…", OnSubmitted: func(string) { w.onUsePasteClicked() }}
	w.usePaste = keyButton(&widget.Button{Text: "Use this address", Importance: widget.HighImportance, OnTapped: w.onUsePasteClicked})
	w.pasteBox = container.NewVBox(
		wrapped("When you have clicked Grant Access, your browser ends on a page the app cannot see. Copy that page's address from the browser's address bar and paste it here:"),
		border(nil, nil, nil, w.usePaste, w.paste), w.pasteMsg.box)
	w.pasteBox.Hide()
	w.openAgain.Disable()
	w.copyLink.Disable()
	return w
}

func (w *waiting) content() fyne.CanvasObject {
	steps := container.NewVBox(wrapped("Your browser will open Lightspeed's sign-in page."))
	for i, step := range w.product().ConsentSteps() {
		steps.Add(wrapped(fmt.Sprintf("%d. %s", i+1, step)))
	}
	again := container.NewHBox(widget.NewLabel("Browser didn't open?"), w.openAgain, w.copyLink)
	hint := border(nil, nil, container.NewVBox(widget.NewIcon(theme.InfoIcon())), nil,
		wrapped(w.product().RedirectMismatchHint()))
	top := container.NewVBox(w.headline, w.progress, steps, again, w.pasteBox, hint)
	return screen(top, w.cancelBtn)
}

// begin starts the attempt off the UI goroutine: the preflight and binding the port can take
// a moment, and the keyring may wait for an unlock.
func (w *waiting) begin() {
	w.shell.spawn(func() {
		att, err := w.core.StartConnect(w.ctx, w.opts)
		w.shell.deps.do(func() {
			if w.finished {
				if att != nil {
					att.Close()
				}
				return
			}
			if err != nil {
				w.finish(nil, err)
				return
			}
			w.ready(att)
		})
	})
}

// product is the product being connected, whose words the steps use: the practice server's,
// the reconnected company's, or the one chosen for a new connection.
func (w *waiting) product() connections.Product {
	s := w.shell
	switch {
	case s.practice != nil:
		return s.practice.product
	case w.opts.Reconnect != 0 && s.dash != nil:
		if cs, ok := s.dash.status(w.opts.Reconnect); ok {
			return statusProduct(cs)
		}
	}
	return optionsProduct(w.opts)
}

// ready shows the consent page and starts the countdown and the wait.
func (w *waiting) ready(att attempt) {
	w.att = att
	w.total = w.opts.Timeout
	if w.total <= 0 {
		w.total = connections.DefaultConnectTimeout
	}
	w.headline.SetText("Waiting for you in the browser…")
	w.openAgain.Enable()
	w.copyLink.Enable()
	if !att.Catchable() {
		w.pasteBox.Show()
	}
	w.updateCountdown()
	w.openBrowser()
	w.shell.spawn(w.tick)
	if att.Catchable() {
		w.shell.spawn(w.wait)
	}
}

// openBrowser opens the consent page; when no browser opens, the person can copy the link.
func (w *waiting) openBrowser() {
	if err := w.shell.deps.open(w.att.AuthURL()); err != nil {
		w.headline.SetText("Your browser didn't open. Click Copy link and paste it into your browser.")
	}
}

// tick redraws the countdown every second until the attempt ends.
func (w *waiting) tick() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-t.C:
			w.shell.deps.do(w.updateCountdown)
		}
	}
}

// updateCountdown shows the time left. A pasted answer has no catcher to time out, so the
// screen ends the attempt itself when time is up.
func (w *waiting) updateCountdown() {
	if w.finished || w.att == nil {
		return
	}
	left := w.att.Deadline().Sub(w.shell.deps.now())
	if left <= 0 && !w.att.Catchable() {
		w.finish(nil, w.att.TimedOut())
		return
	}
	if w.total > 0 {
		w.progress.SetValue(max(0, float64(left)/float64(w.total)))
	}
}

// timeLeftText is the bar's text: minutes and seconds left.
func (w *waiting) timeLeftText() string {
	if w.att == nil {
		return ""
	}
	left := max(0, w.att.Deadline().Sub(w.shell.deps.now()).Round(time.Second))
	return fmt.Sprintf("%d:%02d left", int(left.Minutes()), int(left.Seconds())%60)
}

func (w *waiting) wait() {
	c, err := w.att.Wait(w.ctx)
	w.shell.deps.do(func() { w.finish(c, err) })
}

func (w *waiting) onOpenAgainClicked() { w.openBrowser() }

func (w *waiting) onCopyLinkClicked() {
	w.shell.app.Clipboard().SetContent(w.att.AuthURL())
	w.copyLink.SetText("Link copied")
}

// onCancelClicked ends the attempt and goes back.
func (w *waiting) onCancelClicked() {
	w.finished = true
	w.cancel()
	if w.att != nil {
		w.att.Close()
	}
	w.onBack()
}

// onUsePasteClicked finishes with the address the browser ended on. An address from another
// attempt is refused and the attempt goes on waiting.
func (w *waiting) onUsePasteClicked() {
	landed := strings.TrimSpace(w.paste.Text)
	if landed == "" || w.att == nil {
		w.pasteMsg.set(levelError, "Paste the address your browser ended on after you clicked Grant Access.")
		return
	}
	w.usePaste.Disable()
	w.pasteMsg.set(levelNone, "")
	w.shell.spawn(func() {
		c, err := w.att.Paste(w.ctx, landed)
		w.shell.deps.do(func() {
			w.usePaste.Enable()
			if connections.PasteRefused(err) {
				w.pasteMsg.set(levelError, problem.Summary(err))
				return
			}
			w.finish(c, err)
		})
	})
}

// finish ends the attempt once: connected, not stored, or failed.
func (w *waiting) finish(c *connections.Connected, err error) {
	if w.finished {
		return
	}
	w.finished = true
	cancelled := w.ctx.Err() != nil
	w.cancel()
	s := w.shell
	if cancelled && problem.Is(err, problem.KindCanceled) {
		return // the window is closing: nobody is waiting for an answer
	}
	switch {
	case err == nil:
		s.connected(c)
	case connections.AsUnsaved(err) != nil:
		s.unsavedFile = "" // a new connection: not exported yet
		s.handleUnsaved(connections.AsUnsaved(err))
	case c != nil: // stored, but for another company than the one being reconnected
		s.connected(c)
		s.showErrorNow(err)
	default:
		w.fail(err)
	}
}

// fail says what went wrong and offers to try again or go back.
func (w *waiting) fail(err error) {
	w.headline.SetText("The connection wasn't made.")
	back := newButton("Back", theme.CancelIcon(), w.onBack)
	again := primaryButton("Try again", theme.ConfirmIcon(), func() { w.shell.showWaiting(w.opts, w.onBack) })
	w.shell.showDialog("Couldn't connect", problemContent(err), back, back, again)
}
