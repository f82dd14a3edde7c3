// Package testenv is what tests across the app share to use the real parts that
// scripts/test-env provides: the throwaway keyring and display, a vault of the test's own, and
// a browser played over loopback HTTP against the practice server. Only tests import it.
package testenv

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Inside reports whether the process runs inside scripts/test-env (as `make test` does),
// where the keyring is a throwaway one and an X display is at hand.
func Inside() bool { return os.Getenv("LSC_TEST_ENV_INNER") == "1" }

// Need skips the test outside scripts/test-env, where the keyring would be a person's own.
func Need(tb testing.TB) {
	tb.Helper()
	if !Inside() {
		tb.Skip("needs the throwaway keyring and display of scripts/test-env; run `make test`")
	}
}

var services atomic.Int64

// VaultOptions returns opts with a temporary state directory and a keyring service name of
// the test's own (kept when opts already names them); every item under that service is
// deleted when the test ends.
func VaultOptions(tb testing.TB, opts vault.Options) vault.Options {
	tb.Helper()
	Need(tb)
	if opts.Dir == "" {
		opts.Dir = tb.TempDir()
	}
	if opts.Service == "" {
		opts.Service = fmt.Sprintf("lightspeed-connect-test-%d-%d", os.Getpid(), services.Add(1))
	}
	tb.Cleanup(func() { _ = vault.KeyringBackend{}.DeleteAll(opts.Service) })
	return opts
}

// Browser plays the person's browser: it opens the practice consent page, picks the company
// at companyIndex, grants or denies, runs beforeCallback (if any) and follows the redirect
// back to the app.
func Browser(ctx context.Context, authURL string, companyIndex int, grant bool, beforeCallback func()) error {
	callback, err := practice.Consent(ctx, http.DefaultClient, authURL, companyIndex, grant)
	if err != nil {
		return err
	}
	if beforeCallback != nil {
		beforeCallback()
	}
	return Get(ctx, callback)
}

// Get fetches an address and discards the answer.
func Get(ctx context.Context, address string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
