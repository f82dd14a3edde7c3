package ui

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// startTimes opens the window over the vault at opts, as Start does (through the test
// driver), and returns how long the first frame took (the window drawn with its first
// screen) and how long until the screen to work with was drawn: the dashboard with its rows,
// or the Welcome when nothing is connected. That frame is drawn in the same turn of the UI
// goroutine that shows the screen, as the real driver would, so the work the screen starts
// (the first check) doesn't count. The window is then closed and its work waited for, so
// nothing runs on into the next round.
func startTimes(app fyne.App, opts connections.Options) (first, ready time.Duration) {
	var mu sync.Mutex
	var s *shell
	var win fyne.Window
	var loading fyne.CanvasObject
	var readyAt time.Time
	do := func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		f()
		if loading != nil && readyAt.IsZero() && s.current != loading {
			win.Canvas().Capture()
			readyAt = time.Now()
		}
	}
	begin := time.Now()
	mu.Lock()
	win = test.NewWindow(nil)
	win.Resize(fyne.NewSize(760, 540))
	s = newShell(app, win, appinfo.Info{Name: "Lightspeed Connect"}, deps{options: opts, do: do})
	s.start()
	win.Canvas().Capture()
	loading = s.current
	first = time.Since(begin)
	mu.Unlock()
	for {
		mu.Lock()
		done := !readyAt.IsZero()
		mu.Unlock()
		if done {
			break
		}
		time.Sleep(100 * time.Microsecond)
	}
	ready = readyAt.Sub(begin)
	do(func() { s.shutdown() })
	s.work.Wait()
	do(func() { win.Close() })
	return first, ready
}

// BenchmarkStartUp measures the window's start over an empty vault and over 500 connected
// companies, alternately in the same run: the first frame, and the first frame of the screen
// to work with (the dashboard with its rows drawn; the Welcome when empty). It reports both
// for each, and the 500 ÷ 0 ratios, which should stay near 1: the statuses are read off the
// UI goroutine and the list draws only the rows on screen.
func BenchmarkStartUp(b *testing.B) {
	testenv.Need(b)
	const companies = 500
	app := test.NewTempApp(b)
	empty := testenv.NewVault(b)
	full := testenv.NewVault(b)
	emptyOpts := connections.Options{Dir: empty.Dir, Service: empty.Service}
	fullOpts := connections.Options{Dir: full.Dir, Service: full.Service}
	p := connectMany(b, fullOpts, connections.PracticeConfig{Companies: companies}, companies)
	p.Server.SetLatency(time.Second) // the check the dashboard starts answers after the frame
	var first0, ready0, first500, ready500 time.Duration
	for b.Loop() {
		f, r := startTimes(app, emptyOpts)
		first0, ready0 = first0+f, ready0+r
		f, r = startTimes(app, fullOpts)
		first500, ready500 = first500+f, ready500+r
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
	b.ReportMetric(ms(first0), "first-frame-0-ms")
	b.ReportMetric(ms(first500), "first-frame-500-ms")
	b.ReportMetric(float64(first500)/float64(first0), "first-frame-ratio")
	b.ReportMetric(ms(ready0), "ready-0-ms")
	b.ReportMetric(ms(ready500), "ready-500-ms")
	b.ReportMetric(float64(ready500)/float64(ready0), "ready-ratio")
}

// BenchmarkDashboardFill is the list filling as a check of 500 companies streams in: the
// dashboard opens on 500 companies not yet checked, then takes their results in batches of
// 25 (as CheckEach hands them over), drawing a frame after each. It reports the longest the
// UI goroutine was busy with one batch (re-sorting, recounting, redrawing the rows on
// screen), which must stay well under a frame's budget for the window not to freeze; apart,
// what the test driver's software painter takes per frame (the real driver paints on the
// GPU), and the time to open the dashboard and draw it.
func BenchmarkDashboardFill(b *testing.B) {
	const companies, batch = 500, 25
	app := test.NewTempApp(b)
	unchecked := manyStatuses(companies)
	checked := manyStatuses(companies, 3, 250, 499)
	for i := range unchecked {
		unchecked[i].Status, unchecked[i].LastCheckAt, unchecked[i].Detail = connections.StatusUnknown, nil, "Not checked yet."
	}
	var open, worst, work, paint time.Duration
	frames := 0
	for b.Loop() {
		win := test.NewWindow(nil)
		win.Resize(fyne.NewSize(760, 540))
		s := newShell(app, win, appinfo.Info{Name: "Lightspeed Connect"}, deps{options: connections.Options{Dir: b.TempDir(), Service: "unused"}, do: func(f func()) { f() }})
		begin := time.Now()
		d := newDashboard(s, nil, unchecked)
		s.show(d.content())
		win.Canvas().Capture()
		open += time.Since(begin)
		for i := 0; i < companies; i += batch {
			begin = time.Now()
			d.setStatuses(checked[i : i+batch])
			took := time.Since(begin)
			worst, work = max(worst, took), work+took
			begin = time.Now()
			win.Canvas().Capture()
			paint += time.Since(begin)
			frames++
		}
		s.shutdown()
		win.Close()
	}
	b.ReportMetric(float64(open.Microseconds())/1000/float64(b.N), "open-ms")
	b.ReportMetric(float64(work.Microseconds())/1000/float64(frames), "batch-ms")
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-batch-ms")
	b.ReportMetric(float64(paint.Microseconds())/1000/float64(frames), "test-driver-frame-ms")
}
