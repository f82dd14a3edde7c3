package ui

import (
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// The app's background work while it runs: automatic refresh, which brings fresh statuses to
// the dashboard and the tray, and the clock that redraws the dashboard's countdowns.

// clockInterval is how often the dashboard's countdowns and "ago" lines are redrawn.
const clockInterval = 15 * time.Second

// startAutoRefresh keeps a core's tokens fresh while the window (or practice) runs, once per
// core, and redraws the dashboard after each round.
func (s *shell) startAutoRefresh(core *connections.Core) {
	if s.refreshed[core] {
		return
	}
	s.refreshed[core] = true
	ctx := s.ctx
	if s.practice != nil && core == s.practice.core {
		ctx = s.practice.ctx
	}
	s.spawn(func() {
		core.AutoRefresh(ctx, s.deps.autoRefresh, func([]connections.RefreshResult, error) {
			statuses, err := core.Statuses(ctx)
			if err != nil {
				return
			}
			s.deps.do(func() {
				if s.dash != nil && s.dash.core == core && s.current == s.dash.root {
					s.dash.setStatuses(statuses)
					return
				}
				s.noticeStatuses(statuses)
			})
		})
	})
}

// runClock redraws the dashboard's countdowns while the window is open.
func (s *shell) runClock() {
	t := time.NewTicker(clockInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.deps.do(func() {
				if s.dash != nil && s.current == s.dash.root {
					s.dash.tick()
				}
			})
		}
	}
}
