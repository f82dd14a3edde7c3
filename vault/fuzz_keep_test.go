package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// FuzzUnknownFieldsRoundTrip: any state this version accepts is written so that reading and
// writing it again changes nothing, and every top-level member it doesn't know is written
// back with the same meaning.
func FuzzUnknownFieldsRoundTrip(f *testing.F) {
	for _, seed := range []string{
		`{"schema":1}`, `{"schema":1,"x_newer_field":{"a":[1,2.50,"\u00e9"]}}`, `{"schema":1,"X":1,"x":2}`,
		`{"schema":1,"companies":[{"id":1,"x_newer_field":null,"sites":[{"id":2,"y":true}],"last_check":{"z":{}}}]}`,
		`{"schema":1,"integration":{"client_id":"c","Client_ID":"d","w":"v"}}`, `{"schema":1,"companies":null,"k":[]}`,
		`{"schema":1,"companies":[{"id":1,"handed_off":{"to":"/x","q":1},"last_error":{"kind":"network","r":[{}]}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := parseState(data)
		if err != nil {
			return
		}
		once, err := encodeState(st)
		if err != nil {
			t.Fatalf("an accepted state can't be written: %v", err)
		}
		back, err := parseState(once)
		if err != nil {
			t.Fatalf("what was written can't be read: %v\n%s", err, once)
		}
		twice, err := encodeState(back)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("writing again changed the state (%v):\n%s\n%s", err, once, twice)
		}
		var in, out map[string]json.RawMessage
		if json.Unmarshal(data, &in) != nil || json.Unmarshal(once, &out) != nil {
			t.Fatal("not an object")
		}
		for key, value := range st.unknown {
			if !sameJSON(value, out[key]) || !sameJSON(in[key], out[key]) {
				t.Fatalf("member %q was %s, written %s", key, in[key], out[key])
			}
		}
	})
}

// copyIsSound checks a last-good copy as the test itself reads the format: its number, and
// the SHA-256 of its state.
func copyIsSound(b []byte) bool {
	var file struct {
		Format int             `json:"last_good_copy"`
		SHA256 string          `json:"sha256"`
		State  json.RawMessage `json:"state"`
	}
	if json.Unmarshal(b, &file) != nil {
		return false
	}
	sum := sha256.Sum256(file.State)
	return file.Format == 1 && hex.EncodeToString(sum[:]) == file.SHA256
}

func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	return json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && bytes.Equal(ca.Bytes(), cb.Bytes())
}

// FuzzLastGoodCopy: any bytes in the last-good copy, with the state file damaged, load without
// a panic: either the copy passed its checks and its state is back in place, or the state
// starts empty and both files are kept aside.
func FuzzLastGoodCopy(f *testing.F) {
	s0, err := newStore(storeOptions{Dir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	if err := s0.ensureDir(); err != nil {
		f.Fatal(err)
	}
	st := newState()
	st.putCompany(sampleCompany(1))
	data, err := encodeState(st)
	if err != nil {
		f.Fatal(err)
	}
	s0.writeLastGood(data)
	good, err := os.ReadFile(s0.lastGoodPath())
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{good, good[:len(good)/2], bytes.Replace(good, []byte(`"sha256":"`), []byte(`"sha256":"0`), 1), {}, []byte("{}"),
		[]byte(`{"last_good_copy":1,"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","state":""}`)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, copyBytes []byte) {
		s := testStore(t, t.TempDir())
		if err := s.ensureDir(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(s.lastGoodPath(), copyBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(s.Path(), []byte(`{"schema": 1, "compan`), 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := s.Load(context.Background())
		if st == nil {
			t.Fatalf("no state came back (%v)", err)
		}
		copies, _ := filepath.Glob(s.lastGoodPath() + ".corrupt-*")
		switch problem.KindOf(err) {
		case "", problem.KindStorage: // rebuilt (KindStorage: a copy of a newer schema, read only)
			if s.TakeRecovery() == nil || len(copies) != 0 {
				t.Fatalf("rebuilt without saying so, or with the copy set aside: %v", copies)
			}
			if !copyIsSound(copyBytes) {
				t.Fatalf("a copy that fails its checks was used:\n%q", copyBytes)
			}
		case problem.KindStateCorrupt:
			if len(st.Companies) != 0 || s.TakeRecovery() != nil {
				t.Fatal("a failed rebuild must start empty")
			}
			if _, err := os.Stat(s.lastGoodPath()); !errors.Is(err, os.ErrNotExist) || len(copies) != 1 {
				t.Fatalf("the damaged copy must be kept aside: %v %v", err, copies)
			}
		default:
			t.Fatalf("unexpected kind %q: %s", problem.KindOf(err), problem.Detail(err))
		}
	})
}
