package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// connectMany connects the first n demo companies of a practice server with cfg (kept
// running for the test) into the vault at opts, through the core and the browser's consent,
// as a person would one by one.
func connectMany(tb testing.TB, opts connections.Options, cfg connections.PracticeConfig, n int) *connections.Practice {
	tb.Helper()
	p, err := connections.StartPractice(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = p.Close() })
	core, err := connections.Open(opts)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := core.SaveSettings(ctx, p.Settings); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		att, err := core.StartConnect(ctx, connections.ConnectOptions{SkipPreflight: true})
		if err != nil {
			tb.Fatal(err)
		}
		browserErr := make(chan error, 1)
		go func() { browserErr <- testenv.Browser(ctx, att.AuthURL(), i, true, nil) }()
		if _, err := att.Wait(ctx); err != nil {
			tb.Fatal(err)
		}
		if err := <-browserErr; err != nil {
			tb.Fatalf("browser: %v", err)
		}
	}
	return p
}

// TestCheckAllStreamsProgressAndCancels opens the window on six companies whose API answers
// slowly, two checked at a time: the check that starts with the window says how far it is
// ("Checking 2 of 6" with a bar) while results take their place in the list one by one; Cancel
// stops it, the companies not reached keep their status, and Check all then checks them all.
func TestCheckAllStreamsProgressAndCancels(t *testing.T) {
	testenv.Need(t)
	tv := testenv.NewVault(t)
	opts := connections.Options{Dir: tv.Dir, Service: tv.Service, Parallelism: 2}
	p := connectMany(t, opts, connections.PracticeConfig{Companies: 6}, 6)
	p.Server.SetLatency(700 * time.Millisecond)
	h := newHarness(t, deps{options: opts})
	h.ui(h.shell.start)

	h.waitFor("the first results while others are still being checked", func() bool {
		d := h.shell.dash
		if d == nil || d.run == nil || d.run.done < 2 {
			return false
		}
		healthy := 0
		for _, cs := range d.statuses {
			if cs.Status == connections.StatusHealthy && d.busy[cs.ID] == "" {
				healthy++
			}
		}
		return healthy == d.run.done && len(d.busy) == 6-d.run.done
	})
	h.ui(func() {
		d := h.shell.dash
		want := fmt.Sprintf("Checking %d of 6", d.run.done)
		if !h.has(want) || !d.progress.bar.Visible() || d.progress.bar.Value != float64(d.run.done) || d.progress.bar.Max != 6 {
			t.Errorf("progress: want %q and a bar at %d of 6: %q, bar %v of %v", want, d.run.done, h.texts(), d.progress.bar.Value, d.progress.bar.Max)
		}
		if !h.has("Checking…") || !h.has("● Healthy") {
			t.Errorf("the list does not show checked and waiting rows side by side: %q", h.texts())
		}
		if !d.progress.checkAll.Disabled() {
			t.Error("Check all can start a second check while one runs")
		}
	})
	h.tap("Cancel")
	h.waitText("Check cancelled: ")
	h.ui(func() {
		d := h.shell.dash
		if len(d.busy) != 0 || d.progress.bar.Visible() {
			t.Errorf("after the cancel: busy %v, bar shown %t", d.busy, d.progress.bar.Visible())
		}
		var unchecked int
		for _, cs := range d.statuses {
			switch cs.Status {
			case connections.StatusUnknown:
				unchecked++
			case connections.StatusHealthy:
			default:
				t.Errorf("%s turned %s (%s) by the cancel", cs.Name, cs.Status, cs.Detail)
			}
		}
		if unchecked == 0 || !strings.Contains(strings.Join(h.texts(), "|"), fmt.Sprintf("%d not checked", unchecked)) {
			t.Errorf("%d companies not reached; the window shows %q", unchecked, h.texts())
		}
	})
	p.Server.SetLatency(50 * time.Millisecond)
	h.tap("Check all")
	h.waitText("Checked 6 companies.")
	h.ui(func() {
		if !h.has("6 healthy") {
			t.Errorf("after Check all: %q", h.texts())
		}
	})
}
