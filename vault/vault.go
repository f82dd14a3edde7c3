package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// Options configures Open; the zero value is the real keyring under DefaultService and the
// state in StateDir().
type Options struct {
	// Dir is the state directory; default StateDir().
	Dir string
	// Service is the keyring service name; default DefaultService.
	Service string
	// KeyringTimeout bounds each keyring call; default defaultKeyringTimeout.
	KeyringTimeout time.Duration
	// LockTimeout bounds the wait for another window or command; default defaultLockTimeout.
	LockTimeout time.Duration
	// Backend is the keyring; default keyringBackend{}. Tests wrap it to inject failures.
	Backend Backend
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger takes the refresh journal's sentences (see journal.go): a record recovered, set
	// aside, or the journal off for want of its key or of disk space. Default slog.Default().
	Logger *slog.Logger
	// Recoverable, when set, is called on the refreshing goroutine the moment a refresh's new
	// tokens would survive the process being killed: their journal record is written and
	// synced. For measurements (the crash-window test); leave it nil.
	Recoverable func(companyID int64)
}

// Vault joins the two halves: Store (state file and lock) and Secrets (keyring). Its methods
// take the lock themselves; for anything else use Store.Load or Store.Update.
type Vault struct {
	// Store is the state file and its lock.
	Store *Store
	// Secrets is the keyring.
	Secrets *Secrets
	now     func() time.Time
	journal *journal
}

// Open returns a Vault. It touches neither the disk nor the keyring; call Secrets.Probe to
// find out early whether the keyring answers.
func Open(opts Options) (*Vault, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	store, err := newStore(storeOptions{Dir: opts.Dir, LockTimeout: opts.LockTimeout, Now: opts.Now})
	if err != nil {
		return nil, err
	}
	secrets := newSecrets(secretsOptions{Service: opts.Service, Timeout: opts.KeyringTimeout, Backend: opts.Backend})
	store.hasRefreshToken = secrets.hasRefreshToken
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	j := &journal{dir: store.dir, log: opts.Logger, recoverable: opts.Recoverable}
	return &Vault{Store: store, Secrets: secrets, now: opts.Now, journal: j}, nil
}

// withState is Store.withState for work that touches the keyring: see lock and unlock.
func (v *Vault) withState(ctx context.Context, fn func(*locked, *State) error) error {
	return v.withStateTolerant(ctx, false, fn)
}

// withStateTolerant is withState; when tolerateLoad is true fn runs even if the state could
// not be read, with what Load gave back (an empty state when nothing).
func (v *Vault) withStateTolerant(ctx context.Context, tolerateLoad bool, fn func(*locked, *State) error) error {
	l, err := v.lock(ctx)
	if err != nil {
		return err
	}
	defer v.unlock(l)
	st, err := l.Load()
	if err != nil {
		if !tolerateLoad {
			return err
		}
		if st == nil {
			st = newState()
		}
	}
	return fn(l, st)
}

// lock takes the state lock once this process's earlier keyring calls have really returned
// (see unlock), waiting for them at most the keyring timeout.
func (v *Vault) lock(ctx context.Context) (*locked, error) {
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	wait, cancel := context.WithTimeout(ctx, v.Secrets.timeout)
	defer cancel()
	if err := v.Secrets.settle(wait); err != nil {
		return nil, v.Secrets.notAnswered(wait, "call (an earlier one is still running)")
	}
	return v.Store.lock(ctx)
}

// unlock releases the state lock once every keyring call made under it has really returned.
// A keyring write that timed out may still land; until it has, no other window or command
// may take the lock, read the item and write a newer value that the late write would then
// overwrite. The caller is not kept waiting: the lock is handed back in the background.
func (v *Vault) unlock(l *locked) {
	if v.Secrets.settled() {
		l.Unlock()
		return
	}
	go func() {
		_ = v.Secrets.settle(context.Background())
		l.Unlock()
	}()
}

// storeBound is how many keyring timeouts storing refreshed tokens may take: a write and a
// read of the refresh token, and a write of the access token.
const storeBound = 3

func companyNotFound(id int64) error {
	return problem.New(problem.KindNotFound,
		fmt.Sprintf("No company with ID %d is connected on this computer. Check the ID, or connect the company first.", id),
		nil).WithDetail("company %d is not in the state file", id)
}

// Tokens returns a company's tokens, the strings from the keyring and Expiry from the state.
// KindNotFound when the company is not connected or its refresh token is missing. It takes
// the company's lock, so it never sees half of a refresh: it waits for one in flight.
func (v *Vault) Tokens(ctx context.Context, companyID int64) (t Tokens, err error) {
	err = v.withCompany(ctx, companyID, func() error {
		st, err := v.Store.Load(ctx)
		if err != nil {
			return err
		}
		t, err = v.tokensLocked(ctx, st, companyID)
		return err
	})
	return t, err
}

func (v *Vault) tokensLocked(ctx context.Context, st *State, companyID int64) (Tokens, error) {
	c := st.Company(companyID)
	if c == nil {
		return Tokens{}, companyNotFound(companyID)
	}
	t, err := v.Secrets.LoadTokens(ctx, companyID)
	if err != nil {
		return Tokens{}, err
	}
	t.Expiry = c.AccessExpiry
	return t, nil
}

// SaveCompany records a newly connected (or reconnected) company: its tokens go to the keyring
// first (refresh token verified), then its record, with AccessExpiry from t.Expiry, to the
// state. A company that is already there is replaced. Done in this order, a failure leaves at
// worst keyring items without a record, which a retry overwrites. It holds the company's
// lock throughout, so a refresh of the same company in flight finishes first and never
// writes its tokens over these.
func (v *Vault) SaveCompany(ctx context.Context, c Company, t Tokens) error {
	return v.withCompanies(ctx, []int64{c.ID}, false, false, func(l *locked, st *State) error {
		if err := v.Secrets.saveTokens(ctx, c.ID, t); err != nil {
			return err
		}
		c.AccessExpiry = t.Expiry
		if c.ConnectedAt.IsZero() {
			c.ConnectedAt = v.now()
		}
		st.putCompany(c)
		return l.Save(st)
	})
}

// RefreshFunc trades tokens for new ones (the network call). It gets the newest stored tokens.
type RefreshFunc func(ctx context.Context, current Tokens) (Tokens, error)

// Refresh is the rotation-safe refresh: under the company's lock it re-reads the newest tokens
// (another window may just have rotated them), calls refresh, saves the new tokens at once
// (refresh token first, verified) and then, under the state lock taken only for that moment,
// records AccessExpiry and LastRefresh. When refresh returns a token set without a refresh
// token, the old one is kept. Whether it changed is recorded for the integration
// (State.Rotation). A company handed off to the integration is not refreshed at all:
// *HandedOffError, and refresh is not called (the mark is read under the company's lock,
// which an export holds while it marks, so it cannot change until the refresh is over).
//
// Only the company's lock is held during refresh, never the state lock: refreshes of
// different companies run side by side, in this process and across processes. Whatever
// replaces or hands over this company's tokens (SaveCompany, Disconnect, Forget, Snapshot,
// SnapshotHandOff) takes the same lock, so it waits for the refresh, and the refresh for it.
//
// Once refresh has returned new tokens they may be the only copy (a server that rotates
// refresh tokens may already have revoked the old one), so they are stored under a context of
// their own, bounded by the keyring timeout, even when ctx has been cancelled meanwhile: the
// caller giving up never loses them.
//
// The new tokens are recoverable before the keyring has them: nothing is done between refresh
// returning and the refresh token's write but sealing them into the company's journal file
// (one write, one fsync, into a file opened before the request), and whoever takes the
// company's lock next replays a record left by a process that was killed (see journal.go).
// Without the journal's key (a keyring that refuses it) or with a full disk, the refresh goes
// on as before, and the window in which a crash loses the new token is the keyring write's.
//
// If refresh fails nothing is changed and its error comes back. If saving fails after a
// successful refresh, the new tokens are returned with the error (never zero tokens then), so
// the caller can keep them in memory and store or export them later: with rotation the old
// refresh token may be dead.
func (v *Vault) Refresh(ctx context.Context, companyID int64, refresh RefreshFunc) (next Tokens, err error) {
	err = v.withCompany(ctx, companyID, func() error {
		st, err := v.Store.Load(ctx)
		if err != nil {
			return err
		}
		cur, err := v.tokensLocked(ctx, st, companyID)
		if err != nil {
			return err
		}
		if c := st.Company(companyID); c.HandedOff != nil {
			return &HandedOffError{CompanyID: companyID, Name: c.Name, HandOff: *c.HandedOff}
		}
		record := v.beginRecord(ctx, companyID)
		stored := false
		defer func() { record.done(stored) }()
		if next, err = refresh(ctx, cur); err != nil {
			next = Tokens{}
			return err
		}
		if next.RefreshToken == "" {
			next.RefreshToken = cur.RefreshToken
		}
		if next.RefreshToken != cur.RefreshToken || next.AccessToken != cur.AccessToken {
			record.write(cur.RefreshToken, next, v.now())
		}
		store, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeBound*v.Secrets.timeout)
		defer cancel()
		if err := v.Secrets.saveTokens(store, companyID, next); err != nil {
			return err
		}
		stored = true
		rotated := next.RefreshToken != cur.RefreshToken
		return v.Store.Update(store, func(st *State) error {
			c := st.Company(companyID)
			if c == nil { // only a state file replaced by hand: nothing else removes it under our lock
				return companyNotFound(companyID)
			}
			c.AccessExpiry = next.Expiry
			c.LastRefresh = v.now()
			st.noteRotation(IntegrationKey(c.Product, st.IntegrationFor(c.Product).ClientID), rotated)
			return nil
		})
	})
	return next, err
}

// Disconnect removes one company: first its keyring items, then its record. In that order a
// failure leaves the record in place, so the company still shows and the person can simply try
// again; the other order could leave secrets in the keyring that no screen shows any more.
// A company that is not in the state is KindNotFound (after removing any stray keyring items).
//
// It holds the company's lock throughout: a refresh of the company in flight finishes (and
// stores its tokens) first, and is then removed with the rest.
func (v *Vault) Disconnect(ctx context.Context, companyID int64) error {
	return v.withCompanies(ctx, []int64{companyID}, false, false, func(l *locked, st *State) error {
		if err := v.Secrets.deleteCompany(ctx, companyID); err != nil {
			return err
		}
		v.removeJournal(companyID)
		if !st.removeCompany(companyID) {
			return companyNotFound(companyID)
		}
		return l.Save(st)
	})
}

// Forget removes everything the app keeps: every keyring item under its service name (client
// secrets and all tokens), then the state file. The keyring goes first for the same reason as
// in Disconnect: if it fails, the state still shows what is there and the person can retry.
// The lock files and any set-aside corrupt state files are kept (they hold no secret). Every
// company's lock is held, so no refresh in flight can write its tokens back afterwards; an
// unreadable state is no obstacle (there is nothing left to lock for it).
func (v *Vault) Forget(ctx context.Context) error {
	return v.withCompanies(ctx, nil, true, true, func(*locked, *State) error {
		if err := v.Secrets.DeleteAll(ctx); err != nil {
			return err
		}
		v.removeJournals()
		v.Store.TakeRecovery() // a rebuild on the way in is moot once everything is gone
		return v.Store.removeState()
	})
}

// Snapshot is what an export needs: the integration, its client secret when asked for, and
// the chosen companies with their tokens, all read in one go. It holds secrets, so every fmt
// verb prints it redacted.
type Snapshot struct {
	// Product is the companies' product (one export holds one product's companies).
	Product string
	// Integration is the integration the companies are connected to.
	Integration Integration
	// ClientSecret is the integration's client secret; empty unless it was asked for.
	ClientSecret string
	// Companies are the chosen companies' records.
	Companies []Company
	// Tokens are the companies' tokens, in the same order.
	Tokens []Tokens
}

// String describes the snapshot without its secrets.
func (s Snapshot) String() string {
	return fmt.Sprintf("vault.Snapshot{client_id: %q, companies: %d, client secret included: %t}",
		s.Integration.ClientID, len(s.Companies), s.ClientSecret != "")
}

// Format makes every fmt verb print the snapshot without its secrets.
func (s Snapshot) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue keeps slog redacted.
func (s Snapshot) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the redacted form, for slog's JSON handler given a slice of them.
func (s Snapshot) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Snapshot gathers the chosen companies (all when ids is empty) from the state and the
// keyring under their locks and the state lock, so a refresh elsewhere cannot rotate a token
// half way. A company that is not connected, or whose refresh token is missing from the
// keyring, is KindNotFound.
func (v *Vault) Snapshot(ctx context.Context, ids []int64, includeClientSecret bool) (snap Snapshot, err error) {
	err = v.withCompanies(ctx, ids, len(ids) == 0, false, func(_ *locked, st *State) error {
		snap, err = v.snapshotLocked(ctx, st, ids, includeClientSecret)
		return err
	})
	return snap, err
}

func (v *Vault) snapshotLocked(ctx context.Context, st *State, ids []int64, includeClientSecret bool) (Snapshot, error) {
	product, err := st.ExportProduct(ids)
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{Product: product, Integration: st.IntegrationFor(product)}
	if includeClientSecret {
		secret, err := v.Secrets.ClientSecret(ctx, IntegrationKey(product, snap.Integration.ClientID))
		if err != nil {
			return Snapshot{}, err
		}
		snap.ClientSecret = secret
	}
	if len(ids) == 0 {
		for _, c := range st.Companies {
			ids = append(ids, c.ID)
		}
	}
	for _, id := range ids {
		t, err := v.tokensLocked(ctx, st, id)
		if err != nil {
			return Snapshot{}, err
		}
		snap.Companies = append(snap.Companies, *st.Company(id))
		snap.Tokens = append(snap.Tokens, t)
	}
	return snap, nil
}
