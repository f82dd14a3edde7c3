package vault

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// fault is a failure injected on top of the real keyring.
type fault int

const (
	faultNone     fault = iota
	faultErr            // the call fails with an opaque error
	faultHang           // the call never returns (until the test ends)
	faultNotFound       // the call says the item is not there
	faultTooBig         // Set says the value is too big
	faultMangle         // Get returns something else than was stored
)

// faultBackend wraps the real keyring and injects faults by operation ("set", "get",
// "delete", "deleteall"), optionally only for items containing match. It records every call.
type faultBackend struct {
	inner   Backend
	release chan struct{}

	mu     sync.Mutex
	faults map[string]fault
	match  string
	calls  []string
}

func newFaultBackend(t *testing.T) *faultBackend {
	b := &faultBackend{inner: KeyringBackend{}, release: make(chan struct{}), faults: map[string]fault{}}
	t.Cleanup(func() { close(b.release) })
	return b
}

func (b *faultBackend) inject(op string, f fault) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.faults[op] = f
}

func (b *faultBackend) only(match string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.match = match
}

func (b *faultBackend) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.faults = map[string]fault{}
	b.match = ""
}

func (b *faultBackend) callLog() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.calls...)
}

// before records the call and returns the fault to apply; hang blocks here.
func (b *faultBackend) before(op, item string) fault {
	b.mu.Lock()
	b.calls = append(b.calls, op+" "+item)
	f := b.faults[op]
	if b.match != "" && !strings.Contains(item, b.match) {
		f = faultNone
	}
	b.mu.Unlock()
	if f == faultHang {
		<-b.release
	}
	return f
}

var errInjected = errors.New("injected keyring failure: org.freedesktop.Secret.Error.IsLocked")

func (b *faultBackend) Set(service, user, password string) error {
	switch b.before("set", user) {
	case faultErr, faultHang:
		return errInjected
	case faultTooBig:
		return keyring.ErrSetDataTooBig
	case faultNotFound:
		return keyring.ErrNotFound
	}
	return b.inner.Set(service, user, password)
}

func (b *faultBackend) Get(service, user string) (string, error) {
	switch b.before("get", user) {
	case faultErr, faultHang:
		return "", errInjected
	case faultNotFound:
		return "", keyring.ErrNotFound
	case faultMangle:
		v, err := b.inner.Get(service, user)
		return v + "-mangled", err
	}
	return b.inner.Get(service, user)
}

func (b *faultBackend) Delete(service, user string) error {
	switch b.before("delete", user) {
	case faultErr, faultHang:
		return errInjected
	case faultNotFound:
		return keyring.ErrNotFound
	}
	return b.inner.Delete(service, user)
}

func (b *faultBackend) DeleteAll(service string) error {
	switch b.before("deleteall", "*") {
	case faultErr, faultHang:
		return errInjected
	case faultNotFound:
		return keyring.ErrNotFound
	}
	return b.inner.DeleteAll(service)
}

// randomHex returns n random bytes as hex, for unique service names and fake tokens.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// testService returns a service name no other test uses, and removes its items afterwards.
// It needs the real Secret Service that scripts/test-env starts.
func testService(t *testing.T) string {
	t.Helper()
	service := "lsc-test-" + t.Name() + "-" + randomHex(4)
	s := NewSecrets(SecretsOptions{Service: service, Timeout: 20 * time.Second})
	if err := s.Probe(context.Background()); err != nil {
		if os.Getenv("LSC_TEST_ENV_INNER") == "1" {
			t.Fatalf("the test keyring does not answer: %s (%s)", problem.Summary(err), problem.Detail(err))
		}
		t.Skip("no Secret Service here; run the tests through scripts/test-env")
	}
	t.Cleanup(func() { _ = KeyringBackend{}.DeleteAll(service) })
	return service
}

// testVault opens a vault on a temporary directory and a unique keyring service, with a
// fault-injecting backend on top of the real keyring.
func testVault(t *testing.T) (*Vault, *faultBackend) {
	t.Helper()
	fb := newFaultBackend(t)
	v, err := Open(Options{Dir: t.TempDir(), Service: testService(t), Backend: fb,
		KeyringTimeout: 20 * time.Second, LockTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return v, fb
}

// wantKind fails the test unless err has the kind (or is nil when kind is "").
func wantKind(t *testing.T, err error, kind problem.Kind) {
	t.Helper()
	if got := problem.KindOf(err); got != kind {
		t.Fatalf("kind = %q, want %q (summary %q, detail %q)", got, kind, problem.Summary(err), problem.Detail(err))
	}
}
