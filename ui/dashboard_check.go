package ui

import (
	"context"
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// checkProgress is Check all and how far it has got: "Checking 37 of 120" with a bar, and a
// Cancel button, while a check runs; what came of the last one afterwards.
type checkProgress struct {
	d        *dashboard
	checkAll *button
	cancel   *button
	label    *widget.Label
	bar      *widget.ProgressBar
	box      *fyne.Container
	last     string // said when no check runs: how the last one ended
}

func newCheckProgress(d *dashboard) *checkProgress {
	p := &checkProgress{d: d, label: &widget.Label{}, bar: &widget.ProgressBar{}}
	p.bar.TextFormatter = func() string { return "" } // the label says it in words
	p.checkAll = keyButton(&widget.Button{Text: "Check all", Icon: theme.ViewRefreshIcon(), OnTapped: d.onCheckAllClicked})
	p.cancel = keyButton(&widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: d.cancelCheck})
	p.box = container.NewBorder(nil, nil, p.label, p.cancel, p.bar)
	return p
}

// refresh shows the run's progress, or how the last one ended.
func (p *checkProgress) refresh() {
	d := p.d
	run := d.run
	if len(d.statuses) == 0 || run != nil || d.readOnly != "" {
		p.checkAll.Disable()
	} else {
		p.checkAll.Enable()
	}
	if run == nil {
		p.cancel.Hide()
		p.bar.Hide()
		p.label.SetText(p.last)
		return
	}
	p.label.SetText(fmt.Sprintf("Checking %d of %d", run.done, len(run.ids)))
	p.bar.Max = float64(len(run.ids))
	p.bar.SetValue(float64(run.done))
	p.bar.Show()
	p.cancel.Show()
	if run.cancelled {
		p.cancel.Disable()
		p.label.SetText(fmt.Sprintf("Cancelling… %d of %d checked", run.done, len(run.ids)))
	} else {
		p.cancel.Enable()
	}
}

// checkRun is one check of some companies, streaming its results into the list.
type checkRun struct {
	ids       []int64
	done      int
	cancel    context.CancelFunc
	cancelled bool

	mu        sync.Mutex // guards pending and scheduled, filled from the core's goroutine
	pending   []connections.CompanyStatus
	scheduled bool
}

// check probes companies off the UI goroutine; their rows say "Checking…" until their result
// arrives, and each result takes its place in the list as soon as it does. One check runs at
// a time.
func (d *dashboard) check(ids ...int64) {
	if len(ids) == 0 || d.run != nil || d.core == nil {
		return
	}
	s := d.shell
	ctx, cancel := context.WithCancel(s.ctx)
	run := &checkRun{ids: ids, cancel: cancel}
	d.run = run
	d.progress.last = ""
	for _, id := range ids {
		d.busy[id] = "Checking"
	}
	d.apply()
	core := d.core
	s.spawn(func() {
		defer cancel()
		err := core.CheckEach(ctx, ids, func(cs connections.CompanyStatus) { d.arrived(run, cs) })
		s.deps.do(func() {
			d.flush(run)
			d.finishCheck(run, err)
		})
	})
}

// arrived queues a result from the core's goroutine and asks the UI goroutine to take every
// result queued by then: a burst of answers is one redraw, not one each.
func (d *dashboard) arrived(run *checkRun, cs connections.CompanyStatus) {
	run.mu.Lock()
	run.pending = append(run.pending, cs)
	schedule := !run.scheduled
	run.scheduled = true
	run.mu.Unlock()
	if schedule {
		d.shell.deps.do(func() { d.flush(run) })
	}
}

// flush puts the queued results into the list; on the UI goroutine.
func (d *dashboard) flush(run *checkRun) {
	run.mu.Lock()
	batch := run.pending
	run.pending, run.scheduled = nil, false
	run.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	for _, cs := range batch {
		delete(d.busy, cs.ID)
	}
	run.done += len(batch)
	d.setStatuses(batch)
}

// finishCheck ends a run: the companies not checked (cancelled, or the check could not
// start) keep their status, and the bar makes way for how it went.
func (d *dashboard) finishCheck(run *checkRun, err error) {
	for _, id := range run.ids {
		delete(d.busy, id)
	}
	if d.run == run {
		d.run = nil
	}
	switch {
	case problem.Is(err, problem.KindCanceled) && run.cancelled:
		d.progress.last = fmt.Sprintf("Check cancelled: %d of %d checked; the others keep their last status.", run.done, len(run.ids))
	case problem.Is(err, problem.KindCanceled): // the window is closing
		d.progress.last = ""
	case err != nil:
		d.progress.last = ""
		d.shell.showErrorNow(err)
	case len(run.ids) > 1:
		d.progress.last = fmt.Sprintf("Checked %d companies.", run.done)
	default:
		d.progress.last = ""
	}
	d.apply()
}

// cancelCheck stops the running check; the results already in stay.
func (d *dashboard) cancelCheck() {
	if d.run == nil || d.run.cancelled {
		return
	}
	d.run.cancelled = true
	d.run.cancel()
	d.progress.refresh()
}
