package vault

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/zalando/go-keyring"
	"golang.org/x/sync/semaphore"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// DefaultService is the keyring service name every item of the app is filed under, so that
// "forget everything" can remove them all with one DeleteAll and nothing else is touched.
const DefaultService = "Lightspeed Connect"

// defaultKeyringTimeout bounds every keyring call. A locked Secret Service may show an unlock
// prompt and wait for it; five seconds is long enough for a healthy keyring and short enough
// that a person is not left staring at a frozen window.
const defaultKeyringTimeout = 5 * time.Second

// Backend is the keyring as go-keyring sees it. It exists so that tests can wrap the real
// keyring and inject failures (an error, a hang, a missing item, a value too big).
type Backend interface {
	// Set stores password under service and user, replacing any earlier value.
	Set(service, user, password string) error
	// Get returns the value under service and user, or keyring.ErrNotFound.
	Get(service, user string) (string, error)
	// Delete removes the item under service and user, or returns keyring.ErrNotFound.
	Delete(service, user string) error
	// DeleteAll removes every item under service.
	DeleteAll(service string) error
}

// keyringBackend is the operating system's keyring through go-keyring: the Secret Service
// (GNOME Keyring, KWallet) on Linux, the login keychain on macOS, Credential Manager on Windows.
type keyringBackend struct{}

// Set stores a value in the OS keyring.
func (keyringBackend) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}

// Get reads a value from the OS keyring.
func (keyringBackend) Get(service, user string) (string, error) { return keyring.Get(service, user) }

// Delete removes a value from the OS keyring.
func (keyringBackend) Delete(service, user string) error { return keyring.Delete(service, user) }

// DeleteAll removes every value under service from the OS keyring.
func (keyringBackend) DeleteAll(service string) error { return keyring.DeleteAll(service) }

// secretsOptions configures newSecrets; the zero value is the real keyring under DefaultService.
type secretsOptions struct {
	// Service is the keyring service name; default DefaultService. Tests use their own.
	Service string
	// Timeout bounds each keyring call; default defaultKeyringTimeout.
	Timeout time.Duration
	// Backend is the keyring; default keyringBackend{}.
	Backend Backend
}

// Secrets keeps the app's secrets in the OS keyring, one item per secret:
//
//	client-secret:<client ID>        the integration's client secret
//	company:<company ID>:refresh     a company's refresh token
//	company:<company ID>:access      a company's access token
//
// All methods are safe for concurrent use; they take no lock file, so a caller that refreshes
// tokens holds the company's lock (see CompanyLockFileName) around the read, the refresh and
// the save.
//
// Calls on one item take turns, and a call's turn lasts until the keyring really answers,
// not until its caller stops waiting: a write that timed out, and may still land, holds the
// item until it has landed or failed, so it can never land over a newer value written after
// it. DeleteAll waits for every item.
type Secrets struct {
	service string
	timeout time.Duration
	backend Backend
	goos    string

	all   *semaphore.Weighted        // weight 1 per running call; DeleteAll and settle take all of it
	turns [turnStripes]chan struct{} // an item's turn is turns[hash(item)], held while a call on it runs
}

// newSecrets returns Secrets with the defaults of secretsOptions filled in.
func newSecrets(opts secretsOptions) *Secrets {
	s := &Secrets{service: opts.Service, timeout: opts.Timeout, backend: opts.Backend, goos: runtime.GOOS,
		all: semaphore.NewWeighted(allWeight)}
	for i := range s.turns {
		s.turns[i] = make(chan struct{}, 1)
	}
	if s.service == "" {
		s.service = DefaultService
	}
	if s.timeout <= 0 {
		s.timeout = defaultKeyringTimeout
	}
	if s.backend == nil {
		s.backend = keyringBackend{}
	}
	return s
}

// Service returns the keyring service name the items are filed under.
func (s *Secrets) Service() string { return s.service }

func clientSecretItem(clientID string) string { return "client-secret:" + clientID }

func refreshItem(companyID int64) string {
	return "company:" + strconv.FormatInt(companyID, 10) + ":refresh"
}

func accessItem(companyID int64) string {
	return "company:" + strconv.FormatInt(companyID, 10) + ":access"
}

// SetClientSecret stores the integration's client secret, keyed by its client ID.
func (s *Secrets) SetClientSecret(ctx context.Context, clientID, secret string) error {
	if err := s.set(ctx, clientSecretItem(clientID), secret); err != nil {
		return fmt.Errorf("could not store the client secret: %w", err)
	}
	return nil
}

// ClientSecret returns the integration's client secret; KindNotFound when none is stored.
func (s *Secrets) ClientSecret(ctx context.Context, clientID string) (string, error) {
	v, err := s.get(ctx, clientSecretItem(clientID))
	if problem.Is(err, problem.KindNotFound) {
		return "", problem.New(problem.KindNotFound,
			"The integration's Client Secret isn't saved on this computer.",
			err).WithDetail("no keyring item %q under service %q", clientSecretItem(clientID), s.service).
			WithFix(problem.Fix{Action: problem.ActionEnterSecret})
	}
	if err != nil {
		return "", fmt.Errorf("could not read the client secret: %w", err)
	}
	return v, nil
}

// saveTokens stores a company's tokens: the refresh token first, read back and compared, then
// the access token. The refresh token goes first because it is the one that cannot be got
// back: if the access token then fails to save, the company can still be refreshed.
// t.Expiry is not stored here; it belongs in the state file (Company.AccessExpiry).
func (s *Secrets) saveTokens(ctx context.Context, companyID int64, t Tokens) error {
	if t.RefreshToken != "" {
		if err := s.setVerified(ctx, refreshItem(companyID), t.RefreshToken); err != nil {
			return fmt.Errorf("could not store the refresh token of company %d: %w", companyID, err)
		}
	}
	if err := s.set(ctx, accessItem(companyID), t.AccessToken); err != nil {
		return fmt.Errorf("could not store the access token of company %d: %w", companyID, err)
	}
	return nil
}

// LoadTokens reads a company's tokens from the keyring. Expiry is always zero: it lives in the
// state file (see Vault.Tokens, which joins both). A missing refresh token is KindNotFound (the
// company must be reconnected); a missing access token alone is not an error and leaves
// AccessToken empty, which a caller treats as expired.
func (s *Secrets) LoadTokens(ctx context.Context, companyID int64) (Tokens, error) {
	refresh, err := s.get(ctx, refreshItem(companyID))
	if problem.Is(err, problem.KindNotFound) {
		return Tokens{}, problem.New(problem.KindNotFound,
			"The saved connection for this company is missing from this computer's keychain. Reconnect the company to restore it.",
			err).WithDetail("no refresh token for company %d under service %q", companyID, s.service)
	}
	if err != nil {
		return Tokens{}, fmt.Errorf("could not read the refresh token of company %d: %w", companyID, err)
	}
	access, err := s.get(ctx, accessItem(companyID))
	if err != nil && !problem.Is(err, problem.KindNotFound) {
		return Tokens{}, fmt.Errorf("could not read the access token of company %d: %w", companyID, err)
	}
	return Tokens{AccessToken: access, RefreshToken: refresh}, nil
}

// hasRefreshToken reports whether the keyring holds the company's refresh token (without
// handing it out).
func (s *Secrets) hasRefreshToken(ctx context.Context, companyID int64) (bool, error) {
	_, err := s.get(ctx, refreshItem(companyID))
	if problem.Is(err, problem.KindNotFound) {
		return false, nil
	}
	return err == nil, err
}

// deleteCompany removes a company's tokens from the keyring. Items already gone are fine, so a
// disconnect interrupted half way can simply be run again.
func (s *Secrets) deleteCompany(ctx context.Context, companyID int64) error {
	if err := s.deleteIfPresent(ctx, accessItem(companyID)); err != nil {
		return fmt.Errorf("could not delete the access token of company %d: %w", companyID, err)
	}
	if err := s.deleteIfPresent(ctx, refreshItem(companyID)); err != nil {
		return fmt.Errorf("could not delete the refresh token of company %d: %w", companyID, err)
	}
	return nil
}

// DeleteAll removes every item under the service name: the client secrets and all tokens.
func (s *Secrets) DeleteAll(ctx context.Context) error {
	_, err := s.call(ctx, "delete all", "", func() (string, error) { return "", s.backend.DeleteAll(s.service) })
	if err != nil && !problem.Is(err, problem.KindNotFound) {
		return fmt.Errorf("could not delete the app's keychain items: %w", err)
	}
	return nil
}

// Probe checks that the keyring answers: it writes, reads back and deletes a throwaway item
// under the service name. A locked keyring that shows an unlock prompt counts as answering only
// once it is unlocked within the timeout. The error is a *problem.Error saying what to do.
func (s *Secrets) Probe(ctx context.Context) error {
	var b [8]byte
	_, _ = rand.Read(b[:])
	item := "probe:" + hex.EncodeToString(b[:])
	if err := s.setVerified(ctx, item, "probe-"+hex.EncodeToString(b[:])); err != nil {
		return fmt.Errorf("could not write a test item to the keychain: %w", err)
	}
	if err := s.deleteIfPresent(ctx, item); err != nil {
		return fmt.Errorf("could not delete the keychain's test item: %w", err)
	}
	return nil
}

// setVerified writes value and reads it back before reporting success, so a keyring that
// silently drops or mangles a value is caught while the value is still in memory.
func (s *Secrets) setVerified(ctx context.Context, item, value string) error {
	if err := s.set(ctx, item, value); err != nil {
		return err
	}
	got, err := s.get(ctx, item)
	if problem.Is(err, problem.KindNotFound) || (err == nil && got != value) {
		return problem.New(problem.KindKeyringUnavailable,
			keyringSentence(s.goos, "didn't keep what the app saved"),
			errors.New("value read back is missing or differs from the value written")).
			WithDetail("keyring item %q under service %q read back missing or different after writing", item, s.service)
	}
	if err != nil {
		return fmt.Errorf("could not read back what was written: %w", err)
	}
	return nil
}

func (s *Secrets) set(ctx context.Context, item, value string) error {
	if err := checkSize(s.goos, s.service, item, value); err != nil {
		return err
	}
	_, err := s.call(ctx, "write", item, func() (string, error) { return "", s.backend.Set(s.service, item, value) })
	return err
}

func (s *Secrets) get(ctx context.Context, item string) (string, error) {
	return s.call(ctx, "read", item, func() (string, error) { return s.backend.Get(s.service, item) })
}

func (s *Secrets) deleteIfPresent(ctx context.Context, item string) error {
	_, err := s.call(ctx, "delete", item, func() (string, error) { return "", s.backend.Delete(s.service, item) })
	if problem.Is(err, problem.KindNotFound) {
		return nil
	}
	return err
}
