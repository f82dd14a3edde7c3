package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// newerValue is what a newer version might put in a field of its own: nested, with a number
// too large for a float64 and a string with escapes, so any round trip through Go values
// (rather than keeping the bytes) changes it.
const newerValue = `{"since": "2027-01-01T00:00:00Z", "big": 12345678901234567890123, "list": [1, {"deep": null}, "a\"b\u00e9"]}`

// newerState is a state file as a newer minor version of schema 1 might write it: a field this
// version doesn't know at the top, in the integration and in every object of every company.
func newerState(t *testing.T) []byte {
	t.Helper()
	return []byte(`{
  "schema": 1,
  "schema_minor": 7,
  "x_newer_field": ` + newerValue + `,
  "integration": {"client_id": "cid", "redirect_uri": "http://127.0.0.1:8765/callback", "token_url": "http://127.0.0.1:9/token",
    "api_base_url": "http://127.0.0.1:9/api", "authorize_url": "", "practice": false, "x_newer_field": "integration"},
  "companies": [
    {"id": 1, "name": "Harbour Burgers", "x_newer_field": ` + newerValue + `,
     "sites": [{"id": 11, "name": "Parramatta", "x_newer_field": "site 11"}, {"id": 12, "name": "Manly"}],
     "connected_at": "2026-01-01T09:00:00Z", "access_expiry": "2026-01-01T10:00:00Z",
     "last_check": {"status": "healthy", "checked_at": "2026-01-01T09:30:00Z", "x_newer_field": "check"},
     "last_error": {"kind": "network", "summary": "Offline.", "at": "2026-01-01T09:20:00Z", "x_newer_field": "error"},
     "handed_off": {"to": "/tmp/x.env", "at": "2026-01-01T09:10:00Z", "x_newer_field": "handoff"}},
    {"id": 2, "name": "Bondi Bites", "x_newer_field": 2, "sites": [], "connected_at": "2026-01-01T09:00:00Z",
     "access_expiry": "2026-01-01T10:00:00Z"}
  ]
}
`)
}

// member returns the JSON value at path (object keys and array indexes) in data, compacted.
func member(t *testing.T, data []byte, path ...any) string {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("the state file is not JSON: %v\n%s", err, data)
	}
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[p]
		case int:
			a, _ := v.([]any)
			if p >= len(a) {
				t.Fatalf("no element %d on the way to %v", p, path)
			}
			v = a[p]
		}
	}
	if v == nil {
		return "<missing>"
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// compactJSON is s with its insignificant white space removed: the meaning, byte for byte.
func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatal(err)
	}
	// member re-encodes through any (escaping é as é); do the same to the expectation.
	var v any
	dec := json.NewDecoder(&b)
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// wantNewerFieldsKept fails unless data still holds every field of newerState this version
// doesn't know, with the same meaning.
func wantNewerFieldsKept(t *testing.T, data []byte) {
	t.Helper()
	for _, c := range []struct {
		path []any
		want string
	}{
		{[]any{"x_newer_field"}, compactJSON(t, newerValue)},
		{[]any{"integration", "x_newer_field"}, `"integration"`},
		{[]any{"companies", 0, "x_newer_field"}, compactJSON(t, newerValue)},
		{[]any{"companies", 0, "handed_off", "x_newer_field"}, `"handoff"`},
		{[]any{"companies", 0, "last_check", "x_newer_field"}, `"check"`},
		{[]any{"companies", 0, "last_error", "x_newer_field"}, `"error"`},
		{[]any{"companies", 1, "x_newer_field"}, `2`},
		{[]any{"schema_minor"}, `7`},
	} {
		if got := member(t, data, c.path...); got != c.want {
			t.Errorf("%v = %s, want %s", c.path, got, c.want)
		}
	}
}

// TestFieldsFromANewerVersionSurviveRewrites: a state a newer minor version wrote is read, and
// every kind of change this version makes (a company's record, its sites, the settings, a
// reconnect) rewrites it without losing a field this version doesn't know, anywhere.
func TestFieldsFromANewerVersionSurviveRewrites(t *testing.T) {
	s := testStore(t, t.TempDir())
	ctx := context.Background()
	if err := os.WriteFile(s.Path(), newerState(t), 0o600); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		step func(*State)
	}{
		{"an expiry", func(st *State) { st.Company(1).AccessExpiry = time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC) }},
		{"the rotation", func(st *State) { st.noteRotation("cid", true) }},
		{"the sites", func(st *State) {
			st.Company(1).SetSites([]Site{{ID: 12, Name: "Manly"}, {ID: 11, Name: "Parramatta West"}, {ID: 13, Name: "Bondi"}})
		}},
		{"the settings", func(st *State) {
			in := st.Integration
			st.SetIntegrationFor(OSeries, Integration{ClientID: in.ClientID, RedirectURI: in.RedirectURI, TokenURL: in.TokenURL, APIBaseURL: in.APIBaseURL, RequestsPerMinute: 60})
		}},
		{"a reconnect", func(st *State) {
			c := *st.Company(2)
			st.putCompany(Company{ID: 2, Name: "Bondi Bites Pty Ltd", Sites: c.Sites, ConnectedAt: time.Now()})
		}},
	}
	for _, s2 := range steps {
		if err := s.Update(ctx, func(st *State) error { s2.step(st); return nil }); err != nil {
			t.Fatalf("%s: %v", s2.name, err)
		}
	}
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	wantNewerFieldsKept(t, data)
	if !bytes.HasPrefix(data, []byte("{\n  \"schema\": 1,\n")) {
		t.Errorf("the schema must stay first, where a file cut short still says it:\n%.80s", data)
	}
	// Site 11 moved to the second place; its field went with it.
	if got := member(t, data, "companies", 0, "sites", 1, "x_newer_field"); got != `"site 11"` {
		t.Errorf("site 11's own field = %s after its sites were replaced", got)
	}
	// Records replaced as a whole by this version's own (a new check, a new failure) carry
	// only what this version knows: the old ones' fields described the old result.
	st, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Company(2).Name != "Bondi Bites Pty Ltd" || st.Integration.RequestsPerMinute != 60 || len(st.Company(1).Sites) != 3 {
		t.Fatalf("the changes themselves were lost: %+v", st)
	}
}

// TestAFileWithoutUnknownFieldsIsWrittenAsBefore: keeping unknown fields adds nothing to a
// state that has none: it is encoded exactly as encoding/json encodes its fields, and read
// back the same.
func TestAFileWithoutUnknownFieldsIsWrittenAsBefore(t *testing.T) {
	st := &State{Schema: 1, SchemaMinor: SchemaMinor, Integration: Integration{ClientID: "cid"}, Companies: []Company{sampleCompany(1)}}
	got, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := json.MarshalIndent((*plainState)(st), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, append(plain, '\n')) {
		t.Fatalf("a state without unknown fields is encoded differently:\n%s\n%s", got, plain)
	}
	back, err := parseState(got)
	if err != nil {
		t.Fatal(err)
	}
	if back.hasUnknown() || !reflect.DeepEqual(back, st) {
		t.Fatalf("round trip changed the state:\n%+v\n%+v", back, st)
	}
}

// TestAMemberDifferingOnlyInCaseIsTheFieldItself: encoding/json decodes "ID" into the field
// "id", so it is not an unknown member to be written a second time beside it.
func TestAMemberDifferingOnlyInCaseIsTheFieldItself(t *testing.T) {
	st, err := parseState([]byte(`{"Schema": 1, "companies": [{"ID": 5, "Name": "Upper", "x_newer_field": 1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	c := st.Company(5)
	if c == nil || c.Name != "Upper" || len(st.unknown) != 0 || len(c.unknown) != 1 || string(c.unknown["x_newer_field"]) != "1" {
		t.Fatalf("%+v", st)
	}
	data, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(`"ID"`)) || bytes.Contains(data, []byte(`"Name"`)) || !bytes.Contains(data, []byte(`"x_newer_field": 1`)) {
		t.Fatalf("written as:\n%s", data)
	}
}

// TestTrailingGarbageIsNotAState: the quick decode reads one value; what follows it makes the
// state unreadable all the same, as encoding/json would say.
func TestTrailingGarbageIsNotAState(t *testing.T) {
	var st State
	if err := st.UnmarshalJSON([]byte(`{"schema": 1, "companies": []} {"schema": 1}`)); err == nil {
		t.Fatal("a state followed by more JSON was read")
	}
}

// TestANewerSchemaIsReadButNeverRewritten: a state of a newer major schema loads as far as it
// can, with a sentence saying to update; nothing this version does rewrites it, so the file
// keeps every byte.
func TestANewerSchemaIsReadButNeverRewritten(t *testing.T) {
	s := testStore(t, t.TempDir())
	ctx := context.Background()
	newer := bytes.Replace(newerState(t), []byte(`"schema": 1,`), []byte(`"schema": 3,`), 1)
	if err := os.WriteFile(s.Path(), newer, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := s.Load(ctx)
	wantKind(t, err, problem.KindStorage)
	if st == nil || len(st.Companies) != 2 || st.Company(1).Name != "Harbour Burgers" {
		t.Fatalf("a newer schema must still be read where it can: %+v", st)
	}
	wantKind(t, s.Update(ctx, func(st *State) error { st.Company(1).Name = "changed"; return nil }), problem.KindStorage)
	wantKind(t, s.save(newState()), problem.KindStorage)
	if got, _ := os.ReadFile(s.Path()); !bytes.Equal(got, newer) {
		t.Fatalf("the newer file was changed:\n%s", got)
	}
}

// TestAnotherProductsSettingsKeepTheirUnknownFields: the settings of an integration for another
// product keep the fields this version doesn't know, through a change of those settings and
// of anything else.
func TestAnotherProductsSettingsKeepTheirUnknownFields(t *testing.T) {
	s := testStore(t, t.TempDir())
	ctx := context.Background()
	file := []byte(`{"schema": 2, "integration": {"client_id": "o"}, "product_integrations": {"x-series": {"client_id": "x", "x_newer_field": "p"}, "k-series": {"client_id": "k"}}, "companies": []}`)
	if err := os.WriteFile(s.Path(), file, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, step := range []func(*State){
		func(st *State) { st.noteRotation("o", true) },
		func(st *State) { st.SetIntegrationFor("x-series", Integration{ClientID: "x", RequestsPerMinute: 60}) },
		func(st *State) { st.SetIntegrationFor("k-series", Integration{ClientID: "k2"}) },
	} {
		if err := s.Update(ctx, func(st *State) error { step(st); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	data := mustRead(t, s.Path())
	if got := member(t, data, "product_integrations", "x-series", "x_newer_field"); got != `"p"` {
		t.Fatalf("x-series's own field = %s:\n%s", got, data)
	}
	if got := member(t, data, "product_integrations", "k-series", "client_id"); got != `"k2"` {
		t.Fatalf("k-series's change was lost:\n%s", data)
	}
}
