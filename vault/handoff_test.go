package vault

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A state file written before hand-offs and rotation were recorded still loads, with both
// unknown, and is saved again without losing anything.
func TestStateWithoutOwnershipFieldsLoads(t *testing.T) {
	dir := t.TempDir()
	old := `{"schema":1,"integration":{"client_id":"abc","redirect_uri":"http://127.0.0.1:8765/callback","authorize_url":"","token_url":"","api_base_url":"","practice":false},
"companies":[{"id":31001,"name":"Harbour Burgers Pty Ltd","sites":[],"connected_at":"2026-11-01T10:00:00Z","access_expiry":"2026-11-01T11:00:00Z"}]}`
	if err := os.WriteFile(filepath.Join(dir, StateFileName), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := newStore(storeOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, known := st.Rotation("abc"); known || st.Company(31001) == nil || st.Company(31001).HandedOff != nil {
		t.Fatalf("old state read as %+v", st)
	}
	at := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	err = s.Update(context.Background(), func(st *State) error {
		st.noteRotation("abc", true)
		st.Company(31001).HandedOff = &HandOff{To: "/srv/app/lightspeed.json", At: at}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err = s.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rotates, known := st.Rotation("abc"); !rotates || !known {
		t.Errorf("rotation not kept: %t %t", rotates, known)
	}
	if h := st.Company(31001).HandedOff; h == nil || !h.same(HandOff{To: "/srv/app/lightspeed.json", At: at}) {
		t.Errorf("hand-off not kept: %+v", h)
	}
}

// Rotation once seen stays recorded; a non-rotating refresh is recorded only while unknown.
func TestNoteRotationIsSticky(t *testing.T) {
	st := newState()
	st.noteRotation("a", false)
	if r, k := st.Rotation("a"); r || !k {
		t.Fatalf("after a same-token refresh: rotates %t known %t", r, k)
	}
	st.noteRotation("a", true)
	st.noteRotation("a", false)
	if r, _ := st.Rotation("a"); !r {
		t.Fatal("a later same-token refresh forgot the rotation")
	}
	if _, k := st.Rotation("b"); k {
		t.Fatal("another integration is known")
	}
}

// A handed-off company is never refreshed: the refresh function is not even called.
func TestRefreshRefusesAHandedOffCompany(t *testing.T) {
	v, _ := testVault(t)
	ctx := context.Background()
	co := Company{ID: 31001, Name: "Harbour Burgers Pty Ltd"}
	if err := v.SaveCompany(ctx, co, Tokens{AccessToken: "a-" + randomHex(8), RefreshToken: "r-" + randomHex(8), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	snap, prev, err := v.SnapshotHandOff(ctx, nil, false, func(*State) (HandOff, bool) {
		return HandOff{To: "/tmp/x.json", At: time.Now()}, true
	})
	if err != nil || len(snap.Tokens) != 1 || snap.Companies[0].HandedOff == nil {
		t.Fatalf("snapshot %v, %v", snap, err)
	}
	called := false
	_, err = v.Refresh(ctx, co.ID, func(_ context.Context, cur Tokens) (Tokens, error) {
		called = true
		return cur, nil
	})
	var h *HandedOffError
	if !errors.As(err, &h) || h.CompanyID != co.ID || called {
		t.Fatalf("refresh of a handed-off company: err %v, refresh called %t", err, called)
	}
	// Undo puts the company back as it was, and refreshing works again.
	if err := v.UndoHandOff(ctx, *snap.Companies[0].HandedOff, prev); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Refresh(ctx, co.ID, func(_ context.Context, cur Tokens) (Tokens, error) {
		cur.RefreshToken = "r-" + randomHex(8)
		return cur, nil
	}); err != nil {
		t.Fatalf("refresh after undo: %v", err)
	}
}
