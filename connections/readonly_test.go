package connections

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// makeNewer rewrites the state file's schema as a newer major version would, and returns the
// file's bytes.
func (f *fixture) makeNewer(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(f.vault.Store.Path())
	if err != nil {
		t.Fatal(err)
	}
	newer := regexp.MustCompile(`"schema": \d+`).ReplaceAll(data, []byte(`"schema": 3`))
	if bytes.Equal(newer, data) {
		t.Fatal("the state file has no schema to raise")
	}
	if err := os.WriteFile(f.vault.Store.Path(), newer, 0o600); err != nil {
		t.Fatal(err)
	}
	return newer
}

// TestANewerVersionsStateIsReadButNeverChanged: with two companies connected and then the
// state marked as a newer major schema's, Statuses lists both with the read-only error, and
// every entry point of the core that could change the state, the keychain or a token at
// Lightspeed refuses with readOnlySentence: nothing is sent, the keychain is only read, and
// the file stays byte for byte. The background refresh skips quietly even with a token due.
func TestANewerVersionsStateIsReadButNeverChanged(t *testing.T) {
	f := newFixture(t, PracticeConfig{RotateRefresh: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id := f.connectOne(t)
	if _, err := f.connect(t, 1, ConnectOptions{}); err != nil {
		t.Fatal(err)
	}
	settings, err := f.core.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.expireStoredAccessToken(t, id) // due for the background refresh
	before := f.makeNewer(t)
	stats := f.practice.Server.Stats()
	calls := len(f.keyring.Calls())

	list, err := f.core.Statuses(ctx)
	if !IsReadOnly(err) || problem.Summary(err) != readOnlySentence || len(list) != 2 {
		t.Fatalf("Statuses: %d companies, %v", len(list), err)
	}
	out := filepath.Join(t.TempDir(), "tokens.json")
	refusals := map[string]func() error{
		"Refresh":    func() error { return f.core.Refresh(ctx, id) },
		"RefreshAll": func() error { _, err := f.core.RefreshAll(ctx); return err },
		"Check":      func() error { _, err := f.core.Check(ctx); return err },
		"CheckEach":  func() error { return f.core.CheckEach(ctx, nil, func(CompanyStatus) {}) },
		"StartConnect": func() error {
			a, err := f.core.StartConnect(ctx, ConnectOptions{})
			if a != nil {
				a.Close()
			}
			return err
		},
		"Reconnect": func() error {
			a, err := f.core.StartConnect(ctx, ConnectOptions{Reconnect: id})
			if a != nil {
				a.Close()
			}
			return err
		},
		"Disconnect":   func() error { return f.core.Disconnect(ctx, id) },
		"Forget":       func() error { return f.core.Forget(ctx) },
		"SaveSettings": func() error { return f.core.SaveSettings(ctx, settings) },
		"Export":       func() error { _, err := f.core.Export(ctx, ExportRequest{Path: out}); return err },
		"Export handing off": func() error {
			_, err := f.core.Export(ctx, ExportRequest{Path: out, CompanyIDs: []int64{id}})
			return err
		},
		"AccessToken": func() error { _, err := f.core.AccessToken(ctx, id, time.Minute); return err },
	}
	for name, call := range refusals {
		if err := call(); problem.Summary(err) != readOnlySentence {
			t.Errorf("%s: %v, want the read-only sentence", name, err)
		}
	}
	if results, err := f.core.refreshDue(ctx); err != nil || len(results) != 0 {
		t.Errorf("the background refresh did %v, %v; want nothing", results, err)
	}

	if got := f.practice.Server.Stats(); got != stats {
		t.Errorf("a refused call reached Lightspeed: %+v, before %+v", got, stats)
	}
	for _, call := range f.keyring.Calls()[calls:] {
		if !strings.HasPrefix(call, "get ") {
			t.Errorf("a refused call changed the keychain: %s", call)
		}
	}
	if after, _ := os.ReadFile(f.vault.Store.Path()); !bytes.Equal(after, before) {
		t.Errorf("the newer version's state changed:\n%s", after)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused export wrote its file")
	}
}
