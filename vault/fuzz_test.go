package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// FuzzLoadState: any bytes in the state file load without a panic; a file that is not accepted
// is moved aside with its bytes intact (or, for a newer schema, left exactly as it was), and
// what could still be read of its company records comes back.
func FuzzLoadState(f *testing.F) {
	for _, seed := range []string{
		"", "null", "{}", "[]", "not json", `{"schema":1}`, `{"schema":0}`, `{"schema":-1}`, `{"schema":1.5}`,
		`{"schema":"1"}`, `{"schema":99,"x":1}`, `{"schema":1,"companies":[{"id":1,"name":"A","sites":[{"id":2}]}]}`,
		`{"schema":1,"companies":[{"id":"x"}]}`, `{"schema":1,"integration":{"practice":"yes"}}`,
		`{"schema":1,"companies":[{"id":1,"last_check":{"latency_ns":1e99}}]}`, "\xff\xfe", `{"schema":1}{"schema":2}`,
		`{"schema":1,"companies":[{"id":1,"name":"A"},{"id":2,"na`, `{"schema":1,"companies":[{"id":1},{"id":"x"}]}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := testStore(t, t.TempDir())
		if err := os.WriteFile(s.Path(), data, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := s.Load(context.Background())
		if st == nil {
			t.Fatalf("no state came back (%v)", err)
		}
		onDisk, rerr := os.ReadFile(s.Path())
		aside := asideFiles(t, s)
		switch problem.KindOf(err) {
		case "":
			if rec := s.TakeRecovery(); rec != nil { // whole company records rebuilt from a damaged file
				if len(aside) != 1 || rec.Companies == 0 || len(st.Companies) != rec.Companies {
					t.Fatalf("a rebuilt state must keep the damaged file aside: %v, %+v", aside, rec)
				}
				if kept, _ := os.ReadFile(aside[0]); !bytes.Equal(kept, data) {
					t.Fatal("the set-aside file differs from the original")
				}
				break
			}
			if !bytes.Equal(onDisk, data) || len(aside) != 0 {
				t.Fatal("an accepted file must stay as it is")
			}
		case problem.KindStateCorrupt:
			if !errors.Is(rerr, os.ErrNotExist) || len(aside) != 1 || len(st.Companies) != 0 {
				t.Fatalf("a corrupt file must be moved aside: %v %v", rerr, aside)
			}
			if kept, _ := os.ReadFile(aside[0]); !bytes.Equal(kept, data) {
				t.Fatal("the set-aside file differs from the original")
			}
		case problem.KindStorage:
			if !strings.Contains(problem.Summary(err), "Update the app") || !bytes.Equal(onDisk, data) || len(aside) != 0 {
				t.Fatalf("unexpected storage failure: %s", problem.Detail(err))
			}
		default:
			t.Fatalf("unexpected kind %q: %s", problem.KindOf(err), problem.Detail(err))
		}
	})
}
