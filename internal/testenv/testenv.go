// Package testenv is the one test kit of the app. Tests across the packages use it for the
// real parts that scripts/test-env provides, and for the few failures only a test can inject:
//
//   - Need: skip outside the throwaway desktop session (keyring and display);
//   - Vault: a state directory and a keyring service name of the test's own;
//   - Keyring: the real keyring, with failures switched on and off from the test;
//   - Browser, Consent, Get: the person's browser, played over loopback HTTP against the
//     practice server;
//   - RefreshWorks: asks a token endpoint, over plain HTTP, whether a refresh token works;
//   - APIAnswers: whether an API address answers a GET with an access token, as an
//     integration handed the token would call it;
//   - DiskFull: a writer that fails half way, as a full disk does;
//   - ScreenshotsDir, SavePNG: where pictures of the window go, under one variable name.
//
// Only tests import it.
package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
)

// inside reports whether the process runs inside scripts/test-env (as `make test` does),
// where the keyring is a throwaway one and an X display is at hand.
func inside() bool { return os.Getenv("LSC_TEST_ENV_INNER") == "1" }

// Need skips the test outside scripts/test-env, where the keyring would be a person's own.
func Need(tb testing.TB) {
	tb.Helper()
	if !inside() {
		tb.Skip("needs the throwaway keyring and display of scripts/test-env; run `make test`")
	}
}

var services atomic.Int64

// Vault is where one test keeps its state and its secrets: a temporary state directory, a
// keyring service name no other test uses, and the real keyring wrapped for failures.
type Vault struct {
	// Dir is a temporary state directory.
	Dir string
	// Service is the test's own keyring service name.
	Service string
	// Keyring is the real keyring; switch failures on with its Inject.
	Keyring *Keyring
}

// NewVault makes a Vault for the test (see KeyringService); it skips the test outside
// scripts/test-env.
func NewVault(tb testing.TB) *Vault {
	tb.Helper()
	return &Vault{Dir: tb.TempDir(), Service: KeyringService(tb), Keyring: NewKeyring(tb)}
}

// KeyringService returns a keyring service name of the test's own on the throwaway keyring,
// and deletes its items (and its practice twin's) when the test ends. It skips the test
// outside scripts/test-env.
func KeyringService(tb testing.TB) string {
	tb.Helper()
	Need(tb)
	return ServiceName(tb)
}

// ServiceName returns a keyring service name of the test's own without needing the keyring
// now, for a test that may never touch it (a window drawn for a picture). Inside
// scripts/test-env its items, and its practice twin's ("<service> (practice)"), are deleted
// when the test ends.
func ServiceName(tb testing.TB) string {
	service := fmt.Sprintf("lightspeed-connect-test-%d-%d", os.Getpid(), services.Add(1))
	tb.Cleanup(func() {
		if inside() {
			_ = keyring.DeleteAll(service)
			_ = keyring.DeleteAll(service + " (practice)")
		}
	})
	return service
}

// Consent plays the person on the practice consent page: it picks the company at
// companyIndex, grants or denies, and returns the address the browser is sent back to.
func Consent(ctx context.Context, authURL string, companyIndex int, grant bool) (string, error) {
	return practice.Consent(ctx, http.DefaultClient, authURL, companyIndex, grant)
}

// Browser plays the person's browser: Consent, then beforeCallback (if any), then it follows
// the redirect back to the app.
func Browser(ctx context.Context, authURL string, companyIndex int, grant bool, beforeCallback func()) error {
	callback, err := Consent(ctx, authURL, companyIndex, grant)
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

// RefreshWorks asks the token endpoint, as an integration would (a plain form POST, RFC 6749
// section 6), for new tokens with refreshToken. It returns nil only when the endpoint answers
// 200 with an access token.
func RefreshWorks(ctx context.Context, tokenURL, clientID, clientSecret, refreshToken string) error {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken},
		"client_id": {clientID}, "client_secret": {clientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body)
	if resp.StatusCode != http.StatusOK || body.AccessToken == "" {
		return fmt.Errorf("the token endpoint refused the refresh token: HTTP %d %s", resp.StatusCode, body.Error)
	}
	return nil
}

// APIAnswers reports whether a GET of address with token as its bearer token is answered 200:
// what an integration handed the token does with it.
func APIAnswers(tb testing.TB, address, token string) bool {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, address, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// DiskFull returns a wrapper that lets limit bytes through, then fails as a full disk would.
func DiskFull(limit int) func(io.Writer) io.Writer {
	return func(w io.Writer) io.Writer { return &fullDisk{w: w, limit: limit} }
}

type fullDisk struct {
	w     io.Writer
	limit int
}

func (f *fullDisk) Write(p []byte) (int, error) {
	if len(p) <= f.limit {
		f.limit -= len(p)
		return f.w.Write(p)
	}
	n, _ := f.w.Write(p[:f.limit])
	f.limit = 0
	return n, fmt.Errorf("write: %w", syscall.ENOSPC)
}

// ExportedRefreshToken reads a JSON export (or rescue file) that must hold exactly one
// company with a refresh token, and returns that token, so a test can ask the token endpoint
// whether it still works without going through the app's own refresh code.
func ExportedRefreshToken(tb testing.TB, path string) string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		Companies []struct {
			RefreshToken string `json:"refresh_token"`
		} `json:"companies"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Companies) != 1 || doc.Companies[0].RefreshToken == "" {
		tb.Fatalf("%s does not hold one company with a refresh token (%v)", path, err)
	}
	return doc.Companies[0].RefreshToken
}
