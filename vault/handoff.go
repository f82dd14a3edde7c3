package vault

import (
	"context"
	"fmt"
)

// HandedOffError is what Refresh returns for a company whose refresh token was handed off to
// the integration: the app must not use it any more, because with rotating refresh tokens a
// refresh here would break the integration's copy. It names no secret.
type HandedOffError struct {
	// CompanyID is the company.
	CompanyID int64
	// Name is the company's name.
	Name string
	// HandOff says when and where to.
	HandOff HandOff
}

func (e *HandedOffError) Error() string {
	return fmt.Sprintf("company %d was handed off to %s at %s", e.CompanyID, e.HandOff.To, e.HandOff.At.UTC().Format("2006-01-02T15:04:05Z"))
}

// HandOffFunc decides, under the lock and with the state as it is, whether an export hands the
// companies off (mark) and what the mark says.
type HandOffFunc func(st *State) (mark HandOff, handOff bool)

// SnapshotHandOff is Snapshot, and in the same hold of the locks marks each chosen company as
// handed off when decide says so, saving the state before it returns. Doing both at once means
// no refresh (which takes the same company lock, and reads the mark under it) can slip in
// between the copy of a refresh token and the mark that stops the app from using it. It returns the snapshot and the marks it replaced
// (nil for a company that had none), for UndoHandOff when the file could not be written.
func (v *Vault) SnapshotHandOff(ctx context.Context, ids []int64, includeClientSecret bool, decide HandOffFunc) (snap Snapshot, prev map[int64]*HandOff, err error) {
	err = v.withCompanies(ctx, ids, len(ids) == 0, false, func(l *locked, st *State) error {
		if snap, err = v.snapshotLocked(ctx, st, ids, includeClientSecret); err != nil {
			return err
		}
		mark, handOff := decide(st)
		if !handOff {
			return nil
		}
		prev = make(map[int64]*HandOff, len(snap.Companies))
		for i, co := range snap.Companies {
			rec := st.Company(co.ID)
			prev[co.ID] = rec.HandedOff
			m := mark
			rec.HandedOff = &m
			snap.Companies[i].HandedOff = &m
		}
		return l.Save(st)
	})
	if err != nil {
		return Snapshot{}, nil, err
	}
	return snap, prev, nil
}

// UndoHandOff puts back the marks SnapshotHandOff replaced, for the companies whose mark is
// still the one it set (mark): a reconnect or another export since then is left alone.
func (v *Vault) UndoHandOff(ctx context.Context, mark HandOff, prev map[int64]*HandOff) error {
	if len(prev) == 0 {
		return nil
	}
	return v.Store.Update(ctx, func(st *State) error {
		for id, old := range prev {
			rec := st.Company(id)
			if rec == nil || rec.HandedOff == nil || !rec.HandedOff.same(mark) {
				continue
			}
			rec.HandedOff = old
		}
		return nil
	})
}

// same reports whether two marks are the same hand-off (times compared as instants, since the
// state file keeps no monotonic clock reading).
func (h HandOff) same(o HandOff) bool { return h.To == o.To && h.At.Equal(o.At) }
