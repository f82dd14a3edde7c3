package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/atomicfile"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// LastGoodFileName is the last-good copy of the state: the state file's bytes as they were
// last saved whole, with when and their SHA-256, so that a state file cut short or garbled
// (a full disk, a crash of the file system, a sync tool) or gone costs no reconnect. It is
// written after every successful save of the state file; it holds no secret, as the state
// file doesn't. It is JSON too:
//
//	{"last_good_copy":1,"saved_at":"2026-12-03T14:02:11Z","sha256":"…","state":{…the state file…}}
const LastGoodFileName = "state.last-good.json"

// lastGoodFormat is the copy's own format; a copy of another format is not used.
const lastGoodFormat = 1

// lastGood is a last-good copy read back and checked.
type lastGood struct {
	savedAt time.Time
	state   []byte // the state file's bytes, exactly as they were saved
	parsed  *State // state as read; of a newer schema when newer
	newer   bool   // state was written by a newer major schema (read, never rewritten)
}

// Recovery says what was rebuilt from the last-good copy when the state file could not be
// read or was missing. The faces put it in one sentence (connections.Core.StateNotice).
type Recovery struct {
	// Companies is how many companies came back.
	Companies int
	// SavedAt is when the copy was saved; zero when no copy could be used and the companies
	// came from what could still be read of the damaged file.
	SavedAt time.Time
	// Later is how many of Companies came from the damaged file because the copy, one save
	// older, did not have them yet.
	Later int
	// Aside is where the unreadable state file was kept; "" when it was missing.
	Aside string
	// Reconnect are the recovered companies whose refresh token is not in the keychain:
	// only connecting them again brings them back (each is marked so on its record).
	Reconnect []Company
}

// lastGoodPath returns the last-good copy's path.
func (s *Store) lastGoodPath() string { return filepath.Join(s.dir, LastGoodFileName) }

// writeLastGood writes data, the state file's bytes just saved, to the last-good copy,
// atomically. A failure is kept for Diagnostics and costs nothing else: the state file is
// saved, and the copy is simply one save older until the next save writes it.
func (s *Store) writeLastGood(data []byte) {
	data = bytes.TrimSpace(data)
	sum := sha256.Sum256(data)
	head := fmt.Sprintf(`{"last_good_copy":%d,"saved_at":%q,"sha256":%q,"state":`,
		lastGoodFormat, s.now().UTC().Format(time.RFC3339Nano), hex.EncodeToString(sum[:]))
	err := atomicfile.Write(s.lastGoodPath(), atomicfile.Options{Force: true, Wrap: s.wrapLastGood}, func(w io.Writer) error {
		for _, part := range [][]byte{[]byte(head), data, []byte("}\n")} {
			if _, err := w.Write(part); err != nil {
				return err
			}
		}
		return nil
	})
	s.mu.Lock()
	s.lastGoodErr = err
	s.mu.Unlock()
}

// errLastGoodDamaged says the copy is there but cannot be used.
var errLastGoodDamaged = errors.New("the last-good copy of the state is damaged")

// readLastGood reads the last-good copy and checks it: its format, its checksum, and that
// what it holds is a state file. A missing copy is fs.ErrNotExist; one that fails a check
// wraps errLastGoodDamaged.
func (s *Store) readLastGood() (lastGood, error) {
	data, err := os.ReadFile(s.lastGoodPath())
	if errors.Is(err, fs.ErrNotExist) {
		return lastGood{}, err
	}
	if err != nil {
		return lastGood{}, fmt.Errorf("%w: %w", errLastGoodDamaged, err)
	}
	var file struct {
		Format  int             `json:"last_good_copy"`
		SavedAt time.Time       `json:"saved_at"`
		SHA256  string          `json:"sha256"`
		State   json.RawMessage `json:"state"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return lastGood{}, fmt.Errorf("%w: %w", errLastGoodDamaged, err)
	}
	if file.Format != lastGoodFormat {
		return lastGood{}, fmt.Errorf("%w: format %d, this app knows %d", errLastGoodDamaged, file.Format, lastGoodFormat)
	}
	sum := sha256.Sum256(file.State)
	if hex.EncodeToString(sum[:]) != file.SHA256 {
		return lastGood{}, fmt.Errorf("%w: its checksum doesn't match", errLastGoodDamaged)
	}
	st, err := parseState(file.State)
	if err != nil && !errors.Is(err, errSchemaNewer) {
		return lastGood{}, fmt.Errorf("%w: %w", errLastGoodDamaged, err)
	}
	return lastGood{savedAt: file.SavedAt, state: file.State, parsed: st, newer: err != nil}, nil
}

// recoverUnreadable handles a state file that cannot be read or parsed (data is what could be
// read of it, nil when nothing): it is set aside (never deleted), and the state is rebuilt from
// the last-good copy, with any whole company record of the damaged file the copy doesn't have
// yet. Without a usable copy, the whole company records of the damaged file are what comes
// back; without any, the state starts empty, as it did before there were copies, with
// KindStateCorrupt. A damaged copy is set aside too, for support, rather than overwritten by
// the next save.
func (s *Store) recoverUnreadable(data []byte, cause error) (*State, error) {
	good, goodErr := s.readLastGood()
	aside, err := s.setAside(s.Path(), "corrupt")
	if err != nil {
		return newState(), atomicfile.StorageError(s.Path(), fmt.Errorf("could not move the unreadable state file aside: %w", err))
	}
	salvaged := salvage(data)
	if goodErr == nil {
		st := good.parsed
		rec := &Recovery{SavedAt: good.savedAt, Aside: aside}
		if !good.newer && salvaged != nil { // this version may rewrite it
			for _, c := range salvaged.Companies {
				if st.Company(c.ID) == nil {
					st.putCompany(c)
					rec.Later++
				}
			}
		}
		if rec.Later > 0 {
			return s.rebuild(st, nil, rec)
		}
		return s.rebuild(st, good.state, rec)
	}
	if !errors.Is(goodErr, fs.ErrNotExist) {
		if copyAside, err := s.setAside(s.lastGoodPath(), "corrupt"); err == nil {
			cause = fmt.Errorf("%w; %w (kept as %s)", cause, goodErr, copyAside)
		}
	}
	if salvaged != nil {
		return s.rebuild(salvaged, nil, &Recovery{Aside: aside})
	}
	return newState(), corruptError(s.Path(), aside, cause)
}

// salvage reads what it still can of a damaged state file: the members before the damage and,
// of its companies, every record that is whole up to there. Nil when that holds no company, or
// not even the schema, or a newer one (this version would rewrite a newer state from pieces).
func salvage(data []byte) *State {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	top := object{}
	var companies []json.RawMessage
members:
	for dec.More() {
		t, err := dec.Token()
		key, ok := t.(string)
		if err != nil || !ok {
			break
		}
		if !strings.EqualFold(key, "companies") {
			var raw json.RawMessage
			if dec.Decode(&raw) != nil {
				break
			}
			top[key] = raw
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			break
		}
		for dec.More() {
			var raw json.RawMessage
			if dec.Decode(&raw) != nil {
				break members
			}
			companies = append(companies, raw)
		}
		if _, err := dec.Token(); err != nil {
			break
		}
	}
	var whole []json.RawMessage
	for _, raw := range companies { // each on its own: one record of the wrong shape costs only itself
		if one, err := parseState([]byte(`{"schema":1,"companies":[` + string(raw) + `]}`)); err == nil && len(one.Companies) == 1 && one.Companies[0].ID != 0 {
			whole = append(whole, raw)
		}
	}
	if len(whole) == 0 {
		return nil
	}
	var err error
	if top["companies"], err = json.Marshal(whole); err != nil {
		return nil
	}
	doc, err := json.Marshal(top)
	if err != nil {
		return nil
	}
	st, err := parseState(doc) // refuses a file without a schema, or of a newer one
	if err != nil {
		return nil
	}
	return st
}

// recoverMissing handles a missing state file. With no copy beside it this is a first start:
// an empty state. With a copy, the state was lost (deleted by hand, by a sync tool, by a file
// system check) while the app had companies, and it is rebuilt from the copy, unless the
// keychain answers that it holds none of their connections any more: then everything was
// removed on purpose, and the copy is only set aside.
func (s *Store) recoverMissing() (*State, error) {
	good, err := s.readLastGood()
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		aside, aerr := s.setAside(s.lastGoodPath(), "corrupt")
		if aerr != nil {
			return newState(), atomicfile.StorageError(s.lastGoodPath(), fmt.Errorf("could not move the damaged last-good copy aside: %w", aerr))
		}
		return newState(), corruptError(s.Path(), aside, fmt.Errorf("the state file is missing and %w", err))
	}
	st := good.parsed
	if len(st.Companies) == 0 {
		return newState(), nil
	}
	if held, known := s.holdsAny(st); known && !held {
		if _, err := s.setAside(s.lastGoodPath(), "unused"); err != nil {
			return newState(), atomicfile.StorageError(s.lastGoodPath(), fmt.Errorf("could not move the unused last-good copy aside: %w", err))
		}
		return newState(), nil
	}
	return s.rebuild(st, good.state, &Recovery{SavedAt: good.savedAt})
}

// rebuild puts st back in place of the state file and records rec. When verbatim is given (the
// copy's bytes, of which st was read) those bytes go back as they were, so nothing is lost, not
// even what a newer version wrote (a state of a newer schema is restored and then, as ever,
// read but not changed). Rebuilt companies whose refresh token the keychain doesn't hold are
// marked on their record as needing a reconnect (and st is then written anew); the rest come
// back as they were, connected.
func (s *Store) rebuild(st *State, verbatim []byte, rec *Recovery) (*State, error) {
	newer := st.Schema > SchemaProducts
	rec.Companies = len(st.Companies)
	var missing []int64
	if !newer {
		missing, _ = s.missingTokens(st)
	}
	for _, id := range missing {
		c := st.Company(id)
		c.LastError = &Failure{Kind: problem.KindInvalidGrant, At: s.now(),
			Summary: "This company's connection is missing from the keychain, so it could not be recovered with the list of companies. Reconnect the company to restore it."}
		rec.Reconnect = append(rec.Reconnect, *c)
	}
	data := append(bytes.Clone(verbatim), '\n')
	if verbatim == nil || len(missing) > 0 {
		var err error
		if data, err = encodeState(st); err != nil {
			return st, err
		}
	}
	if err := s.writeState(data); err != nil {
		return st, err
	}
	s.mu.Lock()
	s.recovered = rec
	notify := s.onRecovery
	s.mu.Unlock()
	if notify != nil {
		notify()
	}
	if newer {
		return st, s.newerError(st.Schema)
	}
	return st, nil
}

// missingTokens asks the keychain, company by company, whether it holds the refresh token of
// each company in st, and returns those it doesn't. known is false when the keychain could not
// be asked (none is named then: the next check tells).
func (s *Store) missingTokens(st *State) (missing []int64, known bool) {
	if s.hasRefreshToken == nil {
		return nil, false
	}
	for _, c := range st.Companies {
		ok, err := s.hasRefreshToken(context.Background(), c.ID)
		if err != nil {
			return nil, false
		}
		if !ok {
			missing = append(missing, c.ID)
		}
	}
	return missing, true
}

// holdsAny reports whether the keychain holds the refresh token of any company in st, asking
// company by company until one is there. known is false when the keychain could not be asked.
func (s *Store) holdsAny(st *State) (held, known bool) {
	if s.hasRefreshToken == nil {
		return false, false
	}
	for _, c := range st.Companies {
		ok, err := s.hasRefreshToken(context.Background(), c.ID)
		if err != nil || ok {
			return ok, err == nil
		}
	}
	return false, true
}

// TakeRecovery returns what the last rebuild from the last-good copy recovered, once: the
// face that shows it takes it. Nil when nothing was rebuilt since.
func (s *Store) TakeRecovery() *Recovery {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.recovered
	s.recovered = nil
	return rec
}

// OnRecovery sets fn to be called, on the goroutine that read the state, whenever a rebuild
// from the last-good copy leaves a Recovery for TakeRecovery: a face that is open learns of a
// rebuild met by work it did not ask for (a background refresh) when it happens. fn must not
// read the state itself (the reader may still hold the lock); nil stops the calls.
func (s *Store) OnRecovery(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onRecovery = fn
}

// LastGood reports the last-good copy as it is now, for Diagnostics: its path, when it was
// saved, and why it can't be used or wasn't written at the last save (nil when all is well).
// A copy that is not there yet (nothing saved so far) is a zero savedAt and a nil error.
func (s *Store) LastGood() (path string, savedAt time.Time, why error) {
	good, err := s.readLastGood()
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	if werr := s.LastGoodError(); werr != nil {
		err = fmt.Errorf("the last save could not write it: %w", werr)
	}
	return s.lastGoodPath(), good.savedAt, err
}

// LastGoodError is why the last-good copy could not be written at the last save, nil when it
// was (for Diagnostics).
func (s *Store) LastGoodError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastGoodErr
}
