package vault

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// randomHex returns n random bytes as hex, for unique service names and fake tokens.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// testVault opens a vault on the test kit's temporary directory and keyring service, with
// failures injectable on top of the real keyring.
func testVault(t *testing.T) (*Vault, *testenv.Keyring) {
	t.Helper()
	tv := testenv.NewVault(t)
	v, err := Open(Options{Dir: tv.Dir, Service: tv.Service, Backend: tv.Keyring,
		KeyringTimeout: 20 * time.Second, LockTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return v, tv.Keyring
}

// wantKind fails the test unless err has the kind (or is nil when kind is "").
func wantKind(t *testing.T, err error, kind problem.Kind) {
	t.Helper()
	if got := problem.KindOf(err); got != kind {
		t.Fatalf("kind = %q, want %q (summary %q, detail %q)", got, kind, problem.Summary(err), problem.Detail(err))
	}
}
