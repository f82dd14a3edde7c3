// Package ui is the window of Lightspeed Connect: a calm wizard for store managers and a
// dashboard for support staff. It is the only package besides main that imports Fyne, and it
// holds no logic that the command line also needs: that lives in the connections core.
package ui

import (
	"context"
	"net/url"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/assets"
	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
)

// Start dresses the window (title, icon, size) and shows the first screen: the dashboard when
// companies are connected, the welcome otherwise. The caller runs it.
func Start(a fyne.App, w fyne.Window, info appinfo.Info) {
	s := open(a, w, info)
	s.start()
	// The tray is looked for on the session bus, which must not hold up the first frame.
	s.spawn(func() {
		host := systemTray(a)
		s.deps.do(func() {
			if s.ctx.Err() == nil {
				s.startTray(host)
			}
		})
	})
}

// open dresses the window and makes its shell; the tray icon comes from Start or
// StartInBackground.
func open(a fyne.App, w fyne.Window, info appinfo.Info) *shell {
	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	a.SetIcon(icon)
	w.SetIcon(icon)
	w.SetTitle(info.Name)
	w.Resize(fyne.NewSize(760, 540))
	w.CenterOnScreen()
	s := newShell(a, w, info, deps{})
	quitOnSignal(s)
	s.spawn(s.runClock)
	return s
}

// deps are the edges of the window that a test replaces; each zero value is the real thing.
type deps struct {
	// options open the real core; the practice one sits beside it.
	options connections.Options
	// open shows an address in the browser. Default: the app's OpenURL.
	open func(address string) error
	// now is the clock for countdowns and "2 min ago". Default: time.Now.
	now func() time.Time
	// do runs a function on the UI goroutine. Default: fyne.Do.
	do func(func())
	// connectTimeout is how long the browser step may take. Default: the core's.
	connectTimeout time.Duration
	// autoRefresh is how often tokens due for a refresh are refreshed. Default: the core's.
	autoRefresh time.Duration
	// practice configures the practice server.
	practice connections.PracticeConfig
	// tray finds the system tray. Default: none here; Start and StartInBackground look for
	// the system's (systemTray, see trayhost.go).
	tray trayFinder
}

// shell is the window's frame: it owns the app, the window and the cores, swaps the screens,
// and keeps what outlives a screen (practice mode, an unsaved connection). Its fields are
// touched only on the UI goroutine.
type shell struct {
	app  fyne.App
	win  fyne.Window
	info appinfo.Info
	deps deps

	ctx    context.Context // cancelled when the window closes
	cancel context.CancelFunc

	real        *connections.Core
	realErr     error
	practice    *practiceMode
	unsaved     *connections.UnsavedError
	unsavedFile string // where the unsaved connection was exported, if it was
	known       map[int64]connections.Status
	refreshed   map[*connections.Core]bool // cores whose auto-refresh runs
	work        sync.WaitGroup             // background work, so a test can wait for it to end
	current     fyne.CanvasObject
	dash        *dashboard // the dashboard last built, redrawn by the clock and auto-refresh
	trayIcon    *trayIcon  // the tray icon; nil when there is no tray (see tray.go)
	dialogs     []openDialog
	// screenKeys takes the window's keys no focused widget took, for the screen shown; it
	// reports whether it used the key (see keys.go).
	screenKeys func(*fyne.KeyEvent) bool
	// hidden is true while the window is out of sight in the tray (closed to it, or a
	// background start): what the person must know then goes in a notification.
	hidden bool
	chosen connections.Product // the answer to "Which Lightspeed do you use?" in this window
}

// practiceMode is a running practice server and the separate vault its companies live in.
type practiceMode struct {
	server  *connections.Practice
	product connections.Product // the product the server plays
	core    *connections.Core
	ctx     context.Context // ends when practice ends
	cancel  context.CancelFunc
}

func newShell(a fyne.App, w fyne.Window, info appinfo.Info, d deps) *shell {
	if d.now == nil {
		d.now = time.Now
	}
	if d.do == nil {
		d.do = fyne.Do
	}
	if d.open == nil {
		d.open = func(address string) error {
			u, err := url.Parse(address)
			if err != nil {
				return err
			}
			return a.OpenURL(u)
		}
	}
	s := &shell{app: a, win: w, info: info, deps: d, known: map[int64]connections.Status{}, refreshed: map[*connections.Core]bool{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.real, s.realErr = connections.Open(d.options)
	s.offerUnsavedOf(s.real)
	s.noticeStateOf(s.real)
	w.SetCloseIntercept(s.onCloseRequested)
	w.SetOnClosed(s.shutdown)
	s.listenToWindowKeys()
	if d.tray != nil { // a tray given by a test: at once
		s.startTray(d.tray(a))
	}
	return s
}

// core is the core the screens work on: the practice one in practice mode.
func (s *shell) core() *connections.Core {
	if s.practice != nil {
		return s.practice.core
	}
	return s.real
}

// start shows a brief loading state, reads the state off the UI goroutine, and opens on the
// dashboard when companies are connected.
func (s *shell) start() {
	s.showLoading("Opening…")
	if s.real == nil {
		s.showWelcome()
		s.showError(s.realErr)
		return
	}
	core := s.real
	s.spawn(func() {
		statuses, err := core.Statuses(s.ctx)
		notice := core.StateNotice()
		s.deps.do(func() {
			if err == nil && len(statuses) == 0 {
				s.showWelcome()
				return
			}
			s.showLoaded(statuses, err, notice)
		})
	})
}

// show puts a screen in the window, under the practice banner in practice mode.
func (s *shell) show(content fyne.CanvasObject) {
	s.current = content
	body := container.NewPadded(content)
	if s.practice == nil {
		s.win.SetContent(body)
		return
	}
	s.win.SetContent(border(s.practiceBanner(), nil, nil, nil, body))
}

// practiceBanner labels every practice screen, with the way back to real companies.
func (s *shell) practiceBanner() fyne.CanvasObject {
	label := &widget.Label{Text: "Practice mode — demo companies on this computer only", Importance: widget.WarningImportance, TextStyle: fyne.TextStyle{Bold: true}}
	leave := keyButton(&widget.Button{Text: "Leave practice", Importance: widget.LowImportance, OnTapped: s.onLeavePracticeClicked})
	icon := widget.NewIcon(theme.NewWarningThemedResource(theme.InfoIcon()))
	return container.NewVBox(border(nil, nil, icon, leave, label), widget.NewSeparator())
}

// showLoading is the brief state while something is read off the UI goroutine.
func (s *shell) showLoading(what string) {
	bar := widget.NewProgressBarInfinite()
	s.show(container.NewCenter(container.NewVBox(widget.NewLabel(what), bar)))
}

// onPracticeClicked asks which Lightspeed the demo plays, then starts it.
func (s *shell) onPracticeClicked() { s.askProduct(true, s.showWelcome, s.practise) }

// practise starts the practice server playing product p and a fresh practice vault, then
// shows the integration details filled in for it; Back stops it and asks again.
func (s *shell) practise(p connections.Product) {
	s.showLoading("Starting the practice server…")
	s.spawn(func() {
		mode, err := s.startPractice(p)
		s.deps.do(func() {
			if err != nil {
				s.showWelcome()
				s.showErrorNow(err)
				return
			}
			s.practice = mode
			s.showDetails(p, mode.server.Settings, s.onPracticeBackClicked, s.connectFromDetails, false)
		})
	})
}

// startPractice runs off the UI goroutine: it clears the practice vault (every practice
// starts from scratch: the new server knows no old tokens) and starts the server.
func (s *shell) startPractice(p connections.Product) (*practiceMode, error) {
	core, err := connections.OpenPractice(s.deps.options)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(s.ctx)
	if err := core.Forget(ctx); err != nil {
		cancel()
		return nil, err
	}
	server, err := connections.StartPractice(practiceConfig(s.deps.practice, p))
	if err != nil {
		cancel()
		return nil, err
	}
	s.offerUnsavedOf(core)
	s.noticeStateOf(core)
	return &practiceMode{server: server, product: p, core: core, ctx: ctx, cancel: cancel}, nil
}

// onPracticeBackClicked goes back from the practice details to the question: the server
// stops, and the next answer starts a new one.
func (s *shell) onPracticeBackClicked() {
	s.stopPractice()
	s.onPracticeClicked()
}

// onLeavePracticeClicked stops the practice server and goes back to the real companies.
func (s *shell) onLeavePracticeClicked() {
	s.stopPractice()
	s.start()
}

func (s *shell) stopPractice() {
	if s.practice == nil {
		return
	}
	s.practice.cancel()
	delete(s.refreshed, s.practice.core)
	_ = s.practice.server.Close()
	s.practice = nil
}

// cores are the real core and, in practice mode, the practice one.
func (s *shell) cores() []*connections.Core {
	var out []*connections.Core
	if s.real != nil {
		out = append(out, s.real)
	}
	if s.practice != nil {
		out = append(out, s.practice.core)
	}
	return out
}

// spawn runs work off the UI goroutine; it must come back only through deps.do, and end when
// s.ctx ends.
func (s *shell) spawn(work func()) {
	s.work.Add(1)
	go func() {
		defer s.work.Done()
		work()
	}()
}
