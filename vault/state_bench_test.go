package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/atomicfile"
)

// benchState is 200 companies, each with two sites and a check; with unknown, every company
// and the top level also hold a field of a newer version.
func benchState(tb testing.TB, unknown bool) *State {
	tb.Helper()
	st := newState()
	for i := range 200 {
		c := sampleCompany(int64(i + 1))
		c.Name = fmt.Sprintf("Company %d", i)
		st.Companies = append(st.Companies, c)
	}
	if !unknown {
		return st
	}
	data, err := encodeState(st)
	if err != nil {
		tb.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte(`"connected_at"`), []byte(`"x_newer_field": {"n": 1}, "connected_at"`))
	data = bytes.Replace(data, []byte(`"schema": 1,`), []byte(`"schema": 1, "x_newer_field": [1, 2],`), 1)
	st, err = parseState(data)
	if err != nil || !st.hasUnknown() {
		tb.Fatalf("%v", err)
	}
	return st
}

// BenchmarkStateSave200 saves and loads a state of 200 companies, and reports each as a ratio
// to the baseline measured in the same run: what a save and a load did before the last-good
// copy and the keeping of unknown fields (a save: read and parse the file it replaces,
// encoding/json on the plain fields, one atomic write; a load: the schema, then the plain
// fields). A save now also writes the copy, a second atomic write; a state holding unknown
// fields (written by a newer version) pays for finding and merging them.
func BenchmarkStateSave200(b *testing.B) {
	var baseSave, baseLoad time.Duration
	perOp := func(b *testing.B) time.Duration { return b.Elapsed() / time.Duration(b.N) }
	ratio := func(b *testing.B, base time.Duration) {
		if base > 0 {
			b.ReportMetric(float64(perOp(b))/float64(base), "ratio")
		}
	}
	b.Run("save/baseline", func(b *testing.B) {
		st, path := benchState(b, false), b.TempDir()+"/state.json"
		for b.Loop() {
			if old, err := os.ReadFile(path); err == nil {
				plainParse(b, old)
			}
			data, err := json.MarshalIndent((*plainState)(st), "", "  ")
			if err != nil {
				b.Fatal(err)
			}
			if err := atomicfile.Write(path, atomicfile.Options{Force: true}, func(w io.Writer) error {
				_, err := w.Write(data)
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
		baseSave = perOp(b)
	})
	b.Run("load/baseline", func(b *testing.B) {
		data, _ := json.MarshalIndent((*plainState)(benchState(b, false)), "", "  ")
		for b.Loop() {
			plainParse(b, data)
		}
		baseLoad = perOp(b)
	})
	for _, unknown := range []bool{false, true} {
		name := map[bool]string{false: "known fields only", true: "with unknown fields"}[unknown]
		b.Run("save/"+name, func(b *testing.B) {
			s := testStoreB(b)
			st := benchState(b, unknown)
			for b.Loop() {
				if err := s.save(st); err != nil {
					b.Fatal(err)
				}
			}
			ratio(b, baseSave)
		})
		b.Run("load/"+name, func(b *testing.B) {
			data, err := encodeState(benchState(b, unknown))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := parseState(data); err != nil {
					b.Fatal(err)
				}
			}
			ratio(b, baseLoad)
		})
	}
}

// plainParse is what parseState did before: the schema, then the fields.
func plainParse(b *testing.B, data []byte) {
	var head struct {
		Schema *int `json:"schema"`
	}
	var st plainState
	if json.Unmarshal(data, &head) != nil || json.Unmarshal(data, &st) != nil {
		b.Fatal("baseline parse failed")
	}
}

func testStoreB(b *testing.B) *Store {
	b.Helper()
	s, err := newStore(storeOptions{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.ensureDir(); err != nil {
		b.Fatal(err)
	}
	return s
}
