package connections

import (
	"context"
	"sync"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/oauth"
)

// FinishingRefresh is what a face says while it waits, before it exits, for a refresh that
// was already sent (see Drain).
const FinishingRefresh = "Finishing a refresh so the new token isn't lost…"

// DrainTimeout is how long a face waits at most, on its way out, for refreshes already sent:
// the reply's own bound (oauth.RefreshTimeout) and the time to store it.
const DrainTimeout = oauth.RefreshTimeout + 5*time.Second

// flights counts the refreshes between leaving for the server and their tokens being stored:
// the critical section that nobody may cut short, because with a server that rotates refresh
// tokens the reply may be the only copy of the new one.
type flights struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to zero
}

func (f *flights) begin() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
}

func (f *flights) end() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 {
		close(f.idle)
	}
}

func (f *flights) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func (f *flights) wait(ctx context.Context) bool {
	f.mu.Lock()
	if f.n == 0 {
		f.mu.Unlock()
		return true
	}
	idle := f.idle
	f.mu.Unlock()
	select {
	case <-idle:
		return true
	case <-ctx.Done():
		return false
	}
}

// Refreshing reports how many refreshes are in their critical section now: sent, or about
// to be, and not yet stored. A face that is about to exit calls Drain when it is not zero.
func (c *Core) Refreshing() int { return c.flights.count() }

// Drain waits until no refresh is in its critical section, or ctx ends, and reports whether
// every one finished. Cancelling the refreshes' own contexts does not stop them once sent:
// their tokens are stored all the same, so a face that is exiting (Ctrl+C, a closed window)
// cancels its work, then drains, bounded by DrainTimeout, saying FinishingRefresh.
func (c *Core) Drain(ctx context.Context) bool { return c.flights.wait(ctx) }
