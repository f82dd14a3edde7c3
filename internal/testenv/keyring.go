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
	calls  []string
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

// before records the call and returns the fault to apply; a hang blocks here.
func (k *Keyring) before(op Op, item string) Fault {
	k.mu.Lock()
	k.calls = append(k.calls, string(op)+" "+item)
	f := k.faults[op]
	k.mu.Unlock()
	if f == FaultHang {
		<-k.release
	}
	return f
}

// Set stores a value, unless a failure is switched on.
func (k *Keyring) Set(service, user, password string) error {
	switch k.before(OpSet, user) {
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
	switch k.before(OpGet, user) {
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
	switch k.before(OpDelete, user) {
	case FaultErr, FaultHang:
		return errLocked
	case FaultNotFound:
		return keyring.ErrNotFound
	}
	return keyring.Delete(service, user)
}

// DeleteAll removes every value under service, unless a failure is switched on.
func (k *Keyring) DeleteAll(service string) error {
	switch k.before(OpDeleteAll, "*") {
	case FaultErr, FaultHang:
		return errLocked
	case FaultNotFound:
		return keyring.ErrNotFound
	}
	return keyring.DeleteAll(service)
}
