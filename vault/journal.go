package vault

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/atomicfile"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// The refresh journal keeps a refresh's new tokens recoverable from the moment its reply is
// read, not only from the moment the keyring has them.
//
// A keyring write takes milliseconds (a D-Bus round trip to the Secret Service, which writes
// its own file), and a server that rotates refresh tokens has revoked the old one before it
// starts: a kill in those milliseconds used to lose the connection. So before the keyring
// write, the new tokens are sealed (AES-256-GCM) into the company's journal file,
// company-<id>.journal beside its lock file, with one write and one fsync; once the keyring
// holds them, the file is emptied. Whoever next takes the company's lock (the next refresh,
// check, export, connect or disconnect, in this or any window or command) finds a record left
// by a process that died, stores its tokens in the keyring and empties the file.
//
// The key lives only in the keyring (item journalKeyItem), made once per computer and read
// once per process; the file holds nothing readable without it. Every record names the
// refresh token it replaces (by its SHA-256, inside the seal) and is replayed only while the
// keyring still holds that token, or already holds the record's: a record never overwrites
// newer tokens, whatever stored them. A record is sealed for its company (the company ID is
// bound in as additional data), so a file copied to another company's name doesn't open.
//
// Whatever goes wrong with the journal (no key because the keyring is locked or refuses, a
// full disk, a damaged file) is said in one plain sentence in the log and the refresh goes on
// as it did without a journal; a damaged file is set aside, never read again.

// journalKeyItem is the keyring item holding the journal's key (base64 of 32 random bytes).
const journalKeyItem = "journal-key"

// journalMagic starts every record, followed by its format version.
const (
	journalMagic   = "LSCJ"
	journalVersion = 1
	// journalHeader is magic, version, key ID (8), nonce (12) and the sealed length (4).
	journalHeader = len(journalMagic) + 1 + 8 + 12 + 4
	// journalMaxSealed bounds what a record may claim to hold; tokens are well under it.
	journalMaxSealed = 1 << 20
)

// JournalFileName is the name of company id's journal file in the state directory.
func JournalFileName(id int64) string {
	return "company-" + strconv.FormatInt(id, 10) + ".journal"
}

// journalEntry is what a record seals. Its fields are plain strings only inside the seal; it
// never prints them.
type journalEntry struct {
	// Replaces is the hex SHA-256 of the refresh token the keyring held when the record was
	// written: the record is replayed only while the keyring still holds that one.
	Replaces string    `json:"replaces"`
	Access   string    `json:"access"`
	Refresh  string    `json:"refresh"`
	Expiry   time.Time `json:"expiry"`
	At       time.Time `json:"at"`
}

// String describes the entry without its tokens.
func (e journalEntry) String() string {
	return "journal entry of " + e.At.UTC().Format(time.RFC3339)
}

// Format makes every fmt verb print the entry without its tokens.
func (e journalEntry) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(e.String())) }

// LogValue keeps slog from printing the tokens.
func (e journalEntry) LogValue() slog.Value { return slog.StringValue(e.String()) }

// tokenHash is the hex SHA-256 of a refresh token, as journalEntry.Replaces holds it.
func tokenHash(refresh string) string {
	h := sha256.Sum256([]byte(refresh))
	return hex.EncodeToString(h[:])
}

// journal is the vault's refresh journal: the key, once read, and where the sentences go.
type journal struct {
	dir string
	log *slog.Logger
	// recoverable, set by measurements only, is called once a refresh's new tokens would
	// survive a kill (see Options.Recoverable).
	recoverable func(companyID int64)
	// wrap, when set by a test, sits between a record and its file (a full disk).
	wrap func(io.Writer) io.Writer

	mu     sync.Mutex
	aead   cipher.AEAD // nil until the key has been read
	keyID  [8]byte
	warned bool // the journal-off sentence was said
}

// path is company id's journal file.
func (j *journal) path(id int64) string { return filepath.Join(j.dir, JournalFileName(id)) }

// say logs one plain sentence about the journal.
func (j *journal) say(sentence string, args ...any) { j.log.Warn(sentence, args...) }

// off says, once per process, that refreshes are stored without the journal, and why.
func (j *journal) off(why error) {
	j.mu.Lock()
	warned := j.warned
	j.warned = true
	j.mu.Unlock()
	if !warned {
		j.say("The refresh journal is off for now, so a crash in the moment after Lightspeed answers a refresh could lose the new token until the keychain has it: "+problem.Summary(why), "detail", problem.Detail(why))
	}
}

// keyIDOf names a key without revealing it.
func keyIDOf(key []byte) (id [8]byte) {
	h := sha256.Sum256(append([]byte("journal key id\x00"), key...))
	copy(id[:], h[:8])
	return id
}

// setKey caches key as the journal's.
func (j *journal) setKey(key []byte) error {
	block, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	j.mu.Lock()
	j.aead, j.keyID = aead, keyIDOf(key)
	j.mu.Unlock()
	return nil
}

// cached returns the key read earlier, if any.
func (j *journal) cached() (cipher.AEAD, [8]byte, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.aead, j.keyID, j.aead != nil
}

// forgetKey drops the cached key: Forget has deleted it from the keyring.
func (j *journal) forgetKey() {
	j.mu.Lock()
	j.aead = nil
	j.mu.Unlock()
}

// decodeKey reads the keyring's value of journalKeyItem.
func decodeKey(v string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(v)
	if err == nil && len(key) != 32 {
		err = fmt.Errorf("the key is %d bytes, not 32", len(key))
	}
	return key, err
}

// journalKey returns the journal's key: cached, read from the keyring, or (once per
// computer) made and stored there. Making it takes the state lock, so two processes starting
// at once can't each store a key of their own and lose the other's records; the caller may
// hold company locks (they come before the state lock).
func (v *Vault) journalKey(ctx context.Context) (cipher.AEAD, [8]byte, error) {
	if aead, id, ok := v.journal.cached(); ok {
		return aead, id, nil
	}
	read := func() (bool, error) {
		val, err := v.Secrets.get(ctx, journalKeyItem)
		if problem.Is(err, problem.KindNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		key, err := decodeKey(val)
		if err != nil {
			return false, nil // unusable: replaced below, as if missing
		}
		return true, v.journal.setKey(key)
	}
	found, err := read()
	if err == nil && !found {
		err = v.makeJournalKey(ctx, read)
	}
	if err != nil {
		return nil, [8]byte{}, fmt.Errorf("could not read the refresh journal's key from the keychain: %w", err)
	}
	aead, id, _ := v.journal.cached()
	return aead, id, nil
}

// makeJournalKey stores a new key under the state lock, unless another process stored one
// meanwhile (read says so, and caches it).
func (v *Vault) makeJournalKey(ctx context.Context, read func() (bool, error)) error {
	l, err := v.lock(ctx)
	if err != nil {
		return err
	}
	defer v.unlock(l)
	if found, err := read(); found || err != nil {
		return err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	if err := v.Secrets.setVerified(ctx, journalKeyItem, base64.StdEncoding.EncodeToString(key)); err != nil {
		return err
	}
	return v.journal.setKey(key)
}

// journalRecord is a company's journal file, open for one refresh.
type journalRecord struct {
	j     *journal
	id    int64
	file  *os.File
	aead  cipher.AEAD
	keyID [8]byte
	wrote bool
}

// beginRecord gets the journal ready for a refresh of company id, before its request: the key
// read and the file open, so that after the reply only the seal, one write and one fsync
// remain. It returns nil when the journal is off (no key, or the file can't be opened), after
// saying why; the refresh then goes on without it. The company's lock is held.
func (v *Vault) beginRecord(ctx context.Context, id int64) *journalRecord {
	aead, keyID, err := v.journalKey(ctx)
	if err != nil {
		v.journal.off(err)
		return nil
	}
	path := v.journal.path(id)
	file, err := os.OpenFile(path, os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		file, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
		if err == nil {
			atomicfile.SyncDir(v.journal.dir) // the file's name must survive a power loss too
		}
	}
	if err != nil {
		v.journal.off(atomicfile.StorageError(path, fmt.Errorf("could not open the refresh journal: %w", err)))
		return nil
	}
	return &journalRecord{j: v.journal, id: id, file: file, aead: aead, keyID: keyID}
}

// write seals next, as the tokens replacing the keyring's refresh token replaces, into the
// file with one write and one fsync. A failure (a full disk) is said and the refresh goes on
// to the keyring as it would without a journal.
func (r *journalRecord) write(replaces string, next Tokens, now time.Time) {
	if r == nil {
		return
	}
	rec, err := r.seal(journalEntry{Replaces: tokenHash(replaces), Access: next.AccessToken, Refresh: next.RefreshToken,
		Expiry: next.Expiry, At: now})
	if err == nil {
		// One write at the start: the file is empty, or holds a record this one supersedes.
		var w io.Writer = io.NewOffsetWriter(r.file, 0)
		if r.j.wrap != nil {
			w = r.j.wrap(w)
		}
		_, err = w.Write(rec)
	}
	if err == nil {
		err = r.file.Sync()
	}
	if err != nil {
		_ = r.file.Truncate(0) // no half record left behind
		r.j.say("The refresh journal couldn't be written, so this refresh's new token is safe only once the keychain has it. Free some disk space if the disk is full.",
			"company", r.id, "error", err.Error())
		return
	}
	r.wrote = true
	if r.j.recoverable != nil {
		r.j.recoverable(r.id)
	}
}

// seal builds a record: header, then the sealed entry, bound to the company.
func (r *journalRecord) seal(e journalEntry) ([]byte, error) {
	plain, err := json.Marshal(e) // its fmt and slog methods hide the tokens; encoding/json writes them
	if err != nil {
		return nil, err
	}
	rec := make([]byte, journalHeader, journalHeader+len(plain)+r.aead.Overhead())
	copy(rec, journalMagic)
	rec[len(journalMagic)] = journalVersion
	copy(rec[len(journalMagic)+1:], r.keyID[:])
	nonce := rec[len(journalMagic)+9 : len(journalMagic)+21]
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	binary.BigEndian.PutUint32(rec[len(journalMagic)+21:], uint32(len(plain)+r.aead.Overhead()))
	return r.aead.Seal(rec, nonce, plain, journalAAD(rec[:len(journalMagic)+9], r.id)), nil
}

// journalAAD binds a record to its header and its company.
func journalAAD(head []byte, id int64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), head...), uint64(id))
}

// done ends the record once the keyring holds its tokens: the file is emptied (no fsync: a
// record that comes back after a power loss finds its tokens in the keyring and is emptied
// then), with any older record a replay couldn't store, which these tokens supersede. With
// stored false (the keyring refused, or the refresh failed) the file stays as it is, so tokens
// the core now holds in memory survive a crash too.
func (r *journalRecord) done(stored bool) {
	if r == nil {
		return
	}
	if stored {
		_ = r.file.Truncate(0)
	}
	_ = r.file.Close()
}

// errJournalForeignKey is a record sealed with a key this computer no longer has.
var errJournalForeignKey = errors.New("the record was sealed with another key")

// open reads a record; errJournalForeignKey, or an error when it is damaged.
func openRecord(data []byte, aead cipher.AEAD, keyID [8]byte, id int64) (journalEntry, error) {
	var e journalEntry
	if len(data) < journalHeader || string(data[:len(journalMagic)]) != journalMagic || data[len(journalMagic)] != journalVersion {
		return e, errors.New("the record has no journal header")
	}
	if [8]byte(data[len(journalMagic)+1:len(journalMagic)+9]) != keyID {
		return e, errJournalForeignKey
	}
	n := int(binary.BigEndian.Uint32(data[len(journalMagic)+21:]))
	if n > journalMaxSealed || len(data) < journalHeader+n {
		return e, errors.New("the record is cut short")
	}
	nonce := data[len(journalMagic)+9 : len(journalMagic)+21]
	plain, err := aead.Open(nil, nonce, data[journalHeader:journalHeader+n], journalAAD(data[:len(journalMagic)+9], id))
	if err != nil {
		return e, errors.New("the record doesn't open: it was changed or damaged")
	}
	if err := json.Unmarshal(plain, &e); err != nil || e.Refresh == "" || e.Replaces == "" {
		return journalEntry{}, errors.New("the record's contents can't be read")
	}
	return e, nil
}

// readRecord reads a journal file, at most a little more than the biggest record (a file that
// is no record, such as a device, is never read to its end).
func readRecord(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(journalHeader+journalMaxSealed+1)))
}

// replayBound bounds replaying one record: reading the key and the refresh token, storing the
// tokens (a write and a read of the refresh token, a write of the access token) and the state.
const replayBound = 6

// replayJournal stores the tokens of a record left by a refresh that didn't finish (its
// process was killed after the reply), when the keyring still holds the refresh token the
// record replaces, or already holds the record's; either way it then empties the file. Called
// with the company's lock held, before anything reads the company's tokens. It never fails
// its caller: what goes wrong is said, and a record that can't be stored yet stays for the
// next time; a damaged one, or one sealed with a key this computer no longer has, is set aside.
func (v *Vault) replayJournal(ctx context.Context, id int64) {
	path := v.journal.path(id)
	data, err := readRecord(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(data) == 0) {
		return
	}
	if err != nil {
		v.journal.say("The refresh journal couldn't be read; the keychain's tokens are used as they are.", "company", id, "error", err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replayBound*v.Secrets.timeout)
	defer cancel()
	aead, keyID, err := v.journalKey(ctx)
	if err != nil {
		v.journal.off(err) // the record stays until the key can be read
		return
	}
	e, err := openRecord(data, aead, keyID, id)
	if err != nil {
		v.journal.setAside(id, data, err)
		return
	}
	cur, err := v.Secrets.get(ctx, refreshItem(id))
	if err != nil && !problem.Is(err, problem.KindNotFound) {
		v.journal.say("A refresh interrupted earlier left its new token in the refresh journal, but the keychain can't be read now; it will be tried again.", "company", id, "error", problem.Summary(err))
		return
	}
	switch {
	case cur == e.Refresh || (cur != "" && tokenHash(cur) == e.Replaces):
		if err := v.storeReplayed(ctx, id, e, cur != e.Refresh); err != nil {
			v.journal.say("A refresh interrupted earlier left its new token in the refresh journal, but it couldn't be stored in the keychain yet; it will be tried again.", "company", id, "error", problem.Summary(err))
			return
		}
	default: // the keyring holds newer tokens (a later refresh, a reconnect): the record is stale
	}
	if err := os.Truncate(path, 0); err != nil {
		v.journal.say("The refresh journal couldn't be emptied; it will be read again next time, harmlessly.", "company", id, "error", err.Error())
	}
}

// storeReplayed stores a record's tokens and its expiry. recovered says whether they were
// missing from the keyring (then it is said): a record whose tokens the keyring already held
// is only a refresh killed before it emptied the file.
func (v *Vault) storeReplayed(ctx context.Context, id int64, e journalEntry, recovered bool) error {
	t := Tokens{AccessToken: e.Access, RefreshToken: e.Refresh, Expiry: e.Expiry}
	if err := v.Secrets.saveTokens(ctx, id, t); err != nil {
		return err
	}
	err := v.Store.Update(ctx, func(st *State) error {
		if c := st.Company(id); c != nil {
			c.AccessExpiry = e.Expiry
			if e.At.After(c.LastRefresh) {
				c.LastRefresh = e.At
			}
		}
		return nil
	})
	if recovered {
		v.journal.log.Info("A refresh cut short (the app was closed or the computer stopped right after Lightspeed answered) was completed from the refresh journal: the company's new token is now in the keychain.",
			"company", id, "refreshed_at", e.At.UTC().Format(time.RFC3339))
	}
	if err != nil { // the tokens are stored; a stale expiry only means an early refresh
		v.journal.say("The recovered token's expiry couldn't be recorded; the company will simply be refreshed a little early.", "company", id, "error", problem.Summary(err))
	}
	return nil
}

// setAside renames a record that can't be opened to <file>.unreadable-<UTC time> (never read
// again, kept for support; it holds nothing readable without the key) and says so.
func (j *journal) setAside(id int64, data []byte, why error) {
	path := j.path(id)
	aside := path + ".unreadable-" + time.Now().UTC().Format("20060102T150405.000000000Z")
	if err := os.Rename(path, aside); err != nil {
		_ = os.Truncate(path, 0)
		aside = "(it couldn't be moved, so it was emptied)"
	}
	j.say("A refresh journal record couldn't be read, so it was set aside and the keychain's tokens are used as they are. If the company stops working, reconnect it.",
		"company", id, "file", aside, "reason", why.Error(), "size", len(data))
}

// removeJournal deletes company id's journal file (Disconnect). The company's lock is held.
func (v *Vault) removeJournal(id int64) {
	if err := os.Remove(v.journal.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		_ = os.Truncate(v.journal.path(id), 0)
	}
}

// removeJournals deletes every journal file and forgets the key (Forget, which has deleted
// it from the keyring with everything else). Set-aside records go too: without the key they
// are noise.
func (v *Vault) removeJournals() {
	v.journal.forgetKey()
	for _, pattern := range []string{"company-*.journal", "company-*.journal.unreadable-*"} {
		names, _ := filepath.Glob(filepath.Join(v.journal.dir, pattern))
		for _, name := range names {
			_ = os.Remove(name)
		}
	}
}
