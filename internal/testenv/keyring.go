package testenv

import (
	"errors"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"
)

// Op is a keyring operation a failure can be injected into.
type Op string

// The keyring operations.
const (
	OpSet       Op = "set"
	OpGet       Op = "get"
	OpDelete    Op = "delete"
	OpDeleteAll Op = "deleteall"
)

// Fault is a failure injected on top of the real keyring.
type Fault int

// The faults.
const (
	// FaultNone lets the call through to the real keyring.
	FaultNone Fault = iota
	// FaultErr fails the call the way a locked Secret Service does.
	FaultErr
	// FaultHang blocks the call until the test ends, then fails it.
	FaultHang
	// FaultNotFound says the item is not there.
	FaultNotFound
	// FaultTooBig says the value is too big (Set only).
	FaultTooBig
	// FaultMangle returns something else than was stored (Get only).
	FaultMangle
)

// errLocked is what FaultErr returns: a locked Secret Service's answer.
var errLocked = errors.New("org.freedesktop.Secret.Error.IsLocked: the collection is locked")

// Keyring is the real keyring (go-keyring) with failures switched on from the test, per
// operation. It records every call.
// Its method set is the app's keyring backend, so a vault or a core takes it as one.
type Keyring struct {
	release chan struct{}

	mu     sync.Mutex
	faults map[Op]Fault
	holds  map[Op]*Hold
	calls  []string
}

// Hold is a slow keyring call: it waits until released, then goes through to the real
// keyring, as a Secret Service does that answers after the app stopped waiting.
type Hold struct {
	release chan struct{}
	// Landed is closed once the held call has reached the real keyring and returned.
	Landed chan struct{}
	once   sync.Once
}

// Release lets the held call go on; safe to call more than once.
func (h *Hold) Release() { h.once.Do(func() { close(h.release) }) }

// HoldNext makes the next call of op wait until the returned Hold is released (or the test
// ends), then go through to the real keyring.
func (k *Keyring) HoldNext(tb testing.TB, op Op) *Hold {
	h := &Hold{release: make(chan struct{}), Landed: make(chan struct{})}
	tb.Cleanup(h.Release)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.holds == nil {
		k.holds = map[Op]*Hold{}
	}
	k.holds[op] = h
	return h
}

// NewKeyring returns a Keyring with no failure switched on; hanging calls end with the test.
func NewKeyring(tb testing.TB) *Keyring {
	k := &Keyring{release: make(chan struct{}), faults: map[Op]Fault{}}
	tb.Cleanup(func() { close(k.release) })
	return k
}

// Inject switches a failure on for op (FaultNone switches it off).
func (k *Keyring) Inject(op Op, f Fault) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.faults[op] = f
}

// RefuseWrites makes every Set fail (on) or work again (off), as a keyring that locks itself.
func (k *Keyring) RefuseWrites(on bool) {
	if on {
		k.Inject(OpSet, FaultErr)
		return
	}
	k.Inject(OpSet, FaultNone)
}

// Clear switches every failure off.
func (k *Keyring) Clear() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.faults = map[Op]Fault{}
}

// Calls returns every call so far as "op item".
func (k *Keyring) Calls() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.calls...)
}

// before records the call and returns the fault to apply; a hang or a hold blocks here.
// done is called once the call has returned.
func (k *Keyring) before(op Op, item string) (f Fault, done func()) {
	k.mu.Lock()
	k.calls = append(k.calls, string(op)+" "+item)
	f = k.faults[op]
	h := k.holds[op]
	delete(k.holds, op)
	k.mu.Unlock()
	if f == FaultHang {
		<-k.release
	}
	if h == nil {
		return f, func() {}
	}
	<-h.release
	return f, func() { close(h.Landed) }
}

// Set stores a value, unless a failure is switched on.
func (k *Keyring) Set(service, user, password string) error {
	f, done := k.before(OpSet, user)
	defer done()
	switch f {
	case FaultErr, FaultHang:
		return errLocked
	case FaultTooBig:
		return keyring.ErrSetDataTooBig
	case FaultNotFound:
		return keyring.ErrNotFound
	}
	return keyring.Set(service, user, password)
}

// Get reads a value, unless a failure is switched on.
func (k *Keyring) Get(service, user string) (string, error) {
	f, done := k.before(OpGet, user)
	defer done()
	switch f {
	case FaultErr, FaultHang:
		return "", errLocked
	case FaultNotFound:
		return "", keyring.ErrNotFound
	case FaultMangle:
		v, err := keyring.Get(service, user)
		return v + "-mangled", err
	}
	return keyring.Get(service, user)
}

// Delete removes a value, unless a failure is switched on.
func (k *Keyring) Delete(service, user string) error {
	f, done := k.before(OpDelete, user)
	defer done()
	switch f {
	case FaultErr, FaultHang:
		return errLocked
	case FaultNotFound:
		return keyring.ErrNotFound
	}
	return keyring.Delete(service, user)
}

// DeleteAll removes every value under service, unless a failure is switched on.
func (k *Keyring) DeleteAll(service string) error {
	f, done := k.before(OpDeleteAll, "*")
	defer done()
	switch f {
	case FaultErr, FaultHang:
		return errLocked
	case FaultNotFound:
		return keyring.ErrNotFound
	}
	return keyring.DeleteAll(service)
}
