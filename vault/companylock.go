package vault

import (
	"cmp"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/gofrs/flock"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// The locks, and the order they are taken in.
//
// There are two kinds of lock, each a semaphore of this process (for its goroutines) and a
// lock file in the state directory (for the other windows and commands):
//
//   - A company's lock, CompanyLockFileName(id). It is held by whatever reads or replaces that
//     company's tokens as a whole: a refresh (re-read, request, keyring write), a connect or
//     reconnect (SaveCompany), Disconnect, Forget, Tokens, and an export's Snapshot with its
//     hand-off marks. A refresh holds it for its network round trip; refreshes of different
//     companies run side by side.
//   - The state lock, LockFileName. It is held by whatever reads or writes the state file,
//     only for as long as that takes (plus, for a connect, a disconnect, Forget and an export,
//     their keyring calls). Never for a network round trip.
//
// The order is: company locks first, in ascending company ID, then the state lock. Nothing
// that holds the state lock waits for a company lock, and nothing that holds a company lock
// waits for a lower company's lock, so no two holders can wait for each other, in one process
// or across several.
//
// A company's lock is handed back only once every keyring call made on its items has
// returned (a write that timed out may still land; until it has, no other window or command
// may read the item and write a newer value the late write would then overwrite). The state
// lock is handed back once every keyring call of the process has returned (see Vault.unlock).
//
// Lock files are never deleted, neither state.lock nor a company's, not even by Disconnect or
// Forget: another process may hold, or be about to lock, the file, and a new file under the
// same name would let two holders in at once. A company's lock file is empty (mode 0600) and
// is made the first time the company is locked; there is one per company ever connected on
// this computer, and a reconnect uses the same one again.

// CompanyLockFileName is the name of company id's lock file in the state directory.
func CompanyLockFileName(id int64) string {
	return "company-" + strconv.FormatInt(id, 10) + ".lock"
}

type companyKey struct {
	dir string
	id  int64
}

// companySems holds this process's semaphore per state directory and company. An entry is a
// one-slot channel and is kept for the life of the process.
var companySems sync.Map

func companySem(dir string, id int64) chan struct{} {
	sem, _ := companySems.LoadOrStore(companyKey{dir, id}, make(chan struct{}, 1))
	return sem.(chan struct{})
}

// companyLock is one company's lock, held.
type companyLock struct {
	id   int64
	sem  chan struct{}
	file *flock.Flock
}

func (c *companyLock) release() {
	_ = c.file.Unlock()
	_ = c.file.Close()
	<-c.sem
}

// lockCompanies takes the locks of the companies ids, in ascending ID order (duplicates
// once), waiting for each up to the lock timeout (or ctx): a lock still held after that is
// KindBusy. With the locks held it replays each company's journal (see replayJournal), so
// nothing under them reads tokens a killed refresh left only there. unlock hands them back,
// each once the keyring calls on its company's items have returned; it is safe to call more
// than once.
func (v *Vault) lockCompanies(ctx context.Context, ids []int64) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	ids = slices.Clone(ids)
	slices.SortFunc(ids, cmp.Compare[int64])
	ids = slices.Compact(ids)
	held := make([]*companyLock, 0, len(ids))
	var once sync.Once
	unlock = func() { once.Do(func() { v.unlockCompanies(held) }) }
	for _, id := range ids {
		sem := companySem(v.Store.dir, id)
		file, err := v.Store.take(ctx, sem, filepath.Join(v.Store.dir, CompanyLockFileName(id)))
		if err != nil {
			unlock()
			return nil, err
		}
		held = append(held, &companyLock{id: id, sem: sem, file: file})
	}
	for _, id := range ids { // a refresh killed after its reply left its tokens here
		v.replayJournal(ctx, id)
	}
	return unlock, nil
}

// unlockCompanies hands the locks back, in the background for any company whose keyring
// calls have not all returned yet.
func (v *Vault) unlockCompanies(held []*companyLock) {
	for _, c := range held {
		items := []string{refreshItem(c.id), accessItem(c.id)}
		if v.Secrets.itemsSettled(items...) {
			c.release()
			continue
		}
		go func() {
			_ = v.Secrets.settleItems(context.Background(), items...)
			c.release()
		}()
	}
}

// withCompany runs fn with company id's lock held (not the state lock).
func (v *Vault) withCompany(ctx context.Context, id int64, fn func() error) error {
	unlock, err := v.lockCompanies(ctx, []int64{id})
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// errCompaniesChanged says a company appeared between choosing the locks and taking them.
var errCompaniesChanged = errors.New("the companies changed while their locks were taken")

// companiesRetries bounds how often withCompanies chooses its locks again when companies keep
// appearing meanwhile.
const companiesRetries = 5

// withCompanies runs fn with the locks of the companies ids, then the state lock, held and
// the state loaded. When all is true, ids is ignored and every company in the state is
// locked: the state is read first to choose them, and if another window connected a company
// before the state lock was taken, the locks are handed back and chosen again. When
// tolerateLoad is true, fn runs even if the state could not be read (with what Load gave
// back, or an empty state), as Forget needs.
func (v *Vault) withCompanies(ctx context.Context, ids []int64, all, tolerateLoad bool, fn func(*locked, *State) error) error {
	for range companiesRetries {
		if all {
			st, err := v.Store.Load(ctx)
			if err != nil && !tolerateLoad {
				return err
			}
			ids = nil
			if st != nil {
				for _, c := range st.Companies {
					ids = append(ids, c.ID)
				}
			}
		}
		unlock, err := v.lockCompanies(ctx, ids)
		if err != nil {
			return err
		}
		err = v.withStateTolerant(ctx, tolerateLoad, func(l *locked, st *State) error {
			if all {
				for _, c := range st.Companies {
					if !slices.Contains(ids, c.ID) {
						return errCompaniesChanged
					}
				}
			}
			return fn(l, st)
		})
		unlock()
		if !errors.Is(err, errCompaniesChanged) {
			return err
		}
	}
	return problem.New(problem.KindBusy,
		"Another Lightspeed Connect window or command is busy with the same data. Wait a moment and try again.",
		errCompaniesChanged)
}
