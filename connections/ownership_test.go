package connections

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// connectOne connects the first demo company and returns its ID.
func (f *fixture) connectOne(t *testing.T) int64 {
	t.Helper()
	c, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c.Company.ID
}

// rotation is what the state says about the practice integration's refresh tokens.
func (f *fixture) rotation(t *testing.T) (rotates, known bool) {
	t.Helper()
	st, err := f.vault.Store.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Rotation(f.practice.Settings.ClientID)
}

// expireStoredAccessToken makes the app believe its access token of id expired a minute ago.
func (f *fixture) expireStoredAccessToken(t *testing.T, id int64) {
	t.Helper()
	err := f.vault.Store.Update(context.Background(), func(st *vault.State) error {
		st.Company(id).AccessExpiry = time.Now().Add(-time.Minute)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAccessTokenRefreshesOnlyWhenItExpiresWithinMinValid(t *testing.T) {
	f := newFixture(t, PracticeConfig{RotateRefresh: true, StrictRotation: true})
	id := f.connectOne(t)
	ctx := context.Background()
	stored, _ := f.vault.Tokens(ctx, id)

	before := f.practice.Server.Stats().TokenRequests
	tok, err := f.core.AccessToken(ctx, id, 5*time.Minute)
	if err != nil || tok.Value != stored.AccessToken || f.practice.Server.Stats().TokenRequests != before {
		t.Fatalf("a token valid for an hour was refreshed for --min-valid 5m: err %v", err)
	}
	if _, known := f.rotation(t); known {
		t.Fatal("rotation known before any refresh")
	}

	// Asking for two hours from a one-hour token refreshes, once, and learns the rotation.
	tok, err = f.core.AccessToken(ctx, id, 2*time.Hour)
	if err != nil || tok.Value == stored.AccessToken || f.practice.Server.Stats().TokenRequests != before+1 {
		t.Fatalf("no refresh for --min-valid 2h: err %v, token requests %d", err, f.practice.Server.Stats().TokenRequests-before)
	}
	if !tok.ExpiresAt.After(time.Now().Add(50 * time.Minute)) {
		t.Errorf("fresh token expires at %v", tok.ExpiresAt)
	}
	if rotates, known := f.rotation(t); !rotates || !known {
		t.Errorf("a rotating refresh was recorded as rotates=%t known=%t", rotates, known)
	}

	// An expired stored token is refreshed for the default margin; the strict server would
	// revoke everything if a rotated-out refresh token were sent.
	f.expireStoredAccessToken(t, id)
	again, err := f.core.AccessToken(ctx, id, 5*time.Minute)
	if err != nil || again.Value == tok.Value {
		t.Fatalf("expired token not refreshed: %v", err)
	}
	if n := f.practice.Server.Stats().ReuseDetected; n != 0 {
		t.Fatalf("the server saw %d refresh token reuses", n)
	}
	if _, err := f.core.AccessToken(ctx, 999, time.Minute); !problem.Is(err, problem.KindNotFound) {
		t.Errorf("unknown company: %v", err)
	}
}

func TestAccessTokenPrintsRedacted(t *testing.T) {
	tok := AccessToken{Value: "at-very-secret-value", ExpiresAt: time.Date(2026, 11, 28, 18, 0, 0, 0, time.UTC)}
	cr := Credentials{Token: tok, Company: Company{ID: 31001}, APIBaseURL: "https://api.example"}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		fmt.Fprintf(&out, verb+"\n", tok)
		fmt.Fprintf(&out, verb+"\n", cr)
		fmt.Fprintf(&out, verb+"\n", &tok)
	}
	j, _ := json.Marshal(map[string]any{"t": tok})
	out.Write(j)
	slog.New(slog.NewTextHandler(&out, nil)).Info("token", "t", tok)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("token", "t", tok)
	if strings.Contains(out.String(), tok.Value) || strings.Contains(out.String(), fmt.Sprintf("%x", tok.Value)) {
		t.Fatalf("the access token was printed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "sha256:") {
		t.Fatalf("no fingerprint in:\n%s", out.String())
	}
}

// With rotating refresh tokens, an export hands the company off: the app stops refreshing it
// (refresh, auto-refresh, token), checks it with its access token while that lasts, says so
// in its status, and reconnecting takes it back.
func TestExportHandsOffWhenRefreshTokensRotate(t *testing.T) {
	f := newFixture(t, PracticeConfig{RotateRefresh: true, StrictRotation: true})
	id := f.connectOne(t)
	other, err := f.connect(t, 1, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := f.core.Refresh(ctx, id); err != nil {
		t.Fatal(err)
	}
	if rotates, known := f.rotation(t); !rotates || !known {
		t.Fatalf("rotation not learned: %t %t", rotates, known)
	}

	path := filepath.Join(t.TempDir(), "lightspeed.json")
	req := ExportRequest{Path: path, CompanyIDs: []int64{id}, IncludeClientSecret: true}
	own, err := f.core.ExportOwnership(ctx, req)
	if err != nil || !own.HandOff || !strings.Contains(own.Sentence, "Harbour Burgers Pty Ltd") || !strings.Contains(own.Sentence, "take it back") {
		t.Fatalf("ownership before export: %+v, %v", own, err)
	}
	if _, err := f.core.Export(ctx, req); err != nil {
		t.Fatal(err)
	}

	statuses, _ := f.core.Statuses(ctx)
	cs := statuses[0]
	want := fmt.Sprintf("Handed off on %s to %s; reconnect here to take it back.", time.Now().Format("2 Jan 2006"), path)
	if cs.Status != StatusHandedOff || StatusLabel(cs.Status) != "Handed off" || len(cs.Notes()) != 1 || cs.Notes()[0] != want {
		t.Fatalf("status %s, notes %q; want %q", cs.Status, cs.Notes(), want)
	}
	if cs.HandedOffAt == nil || cs.HandedOffTo != path || cs.Status.NeedsAttention() || statuses[1].HandedOffAt != nil {
		t.Fatalf("status %+v / other %+v", cs, statuses[1])
	}
	js, _ := json.Marshal(cs)
	if !bytes.Contains(js, []byte(`"status":"handed_off"`)) || !bytes.Contains(js, []byte(`"handed_off_at"`)) {
		t.Errorf("status JSON %s", js)
	}

	// Support sees both in the diagnostics.
	diag := f.core.Diagnostics(ctx, "test").Text()
	if !strings.Contains(diag, "refresh token rotates") || !strings.Contains(diag, "handed off to the integration") || !strings.Contains(diag, path) {
		t.Errorf("diagnostics lack the rotation or the hand-off:\n%s", diag)
	}

	// The app sends nothing to the token endpoint for it any more.
	tokenRequests := f.practice.Server.Stats().TokenRequests
	if err := f.core.Refresh(ctx, id); !problem.Is(err, problem.KindHandedOff) || problem.FixOf(err).Action != problem.ActionReconnect {
		t.Fatalf("refresh of a handed-off company: %v", err)
	}
	if _, err := f.core.AccessToken(ctx, id, 2*time.Hour); !problem.Is(err, problem.KindHandedOff) {
		t.Fatalf("token beyond the access token's life: %v", err)
	}
	if tok, err := f.core.AccessToken(ctx, id, 5*time.Minute); err != nil || tok.Value == "" {
		t.Fatalf("token while the access token works: %v", err)
	}
	// Refreshing all leaves it out; naming it says why it isn't refreshed.
	if results, err := f.core.RefreshAll(ctx); err != nil || len(results) != 1 || results[0].Company.ID != other.Company.ID {
		t.Fatalf("refresh all: %+v, %v", results, err)
	}
	tokenRequests = f.practice.Server.Stats().TokenRequests
	// Make both companies due; auto-refresh refreshes only the other one.
	f.expireStoredAccessToken(t, id)
	f.expireStoredAccessToken(t, other.Company.ID)
	results, err := f.core.refreshDue(ctx)
	if err != nil || len(results) != 1 || results[0].Company.ID != other.Company.ID || results[0].Err != nil {
		t.Fatalf("auto-refresh: %+v, %v", results, err)
	}
	if got := f.practice.Server.Stats().TokenRequests; got != tokenRequests+1 {
		t.Fatalf("token requests: %d, want 1 (the other company's)", got-tokenRequests)
	}

	// Its access token expired: the check asks nothing, and the status stays handed off.
	apiRequests := f.practice.Server.Stats().APIRequests
	statuses, err = f.core.Check(ctx, id)
	if err != nil || statuses[0].Status != StatusHandedOff || f.practice.Server.Stats().APIRequests != apiRequests {
		t.Fatalf("check of an expired handed-off company: %+v, %v", statuses, err)
	}
	_, err = f.core.AccessToken(ctx, id, time.Minute)
	if !problem.Is(err, problem.KindHandedOff) || !strings.Contains(problem.Summary(err), "Reconnect the company here to take it back") {
		t.Fatalf("token after expiry: %v", err)
	}

	// The integration's copy works, because the app kept its hands off.
	if err := testenv.RefreshWorks(ctx, f.practice.Settings.TokenURL, f.practice.Settings.ClientID, f.practice.Settings.ClientSecret, testenv.ExportedRefreshToken(t, path)); err != nil {
		t.Fatalf("the integration's refresh token: %v", err)
	}

	// Reconnecting takes it back: no mark, and the app refreshes it again.
	if _, err := f.connect(t, 0, ConnectOptions{Reconnect: id}); err != nil {
		t.Fatal(err)
	}
	statuses, _ = f.core.Statuses(ctx)
	if statuses[0].Status == StatusHandedOff || statuses[0].HandedOffAt != nil || len(statuses[0].Notes()) != 0 {
		t.Fatalf("after reconnecting: %+v", statuses[0])
	}
	if err := f.core.Refresh(ctx, id); err != nil {
		t.Fatalf("refresh after reconnecting: %v", err)
	}
}

// A handed-off company whose access token still works is checked with it, without a refresh.
func TestHandedOffCompanyIsCheckedWithItsAccessToken(t *testing.T) {
	f := newFixture(t, PracticeConfig{RotateRefresh: true})
	f.connectOne(t)
	ctx := context.Background()
	if _, err := f.core.Export(ctx, ExportRequest{Path: filepath.Join(t.TempDir(), "a.json")}); err != nil {
		t.Fatal(err)
	}
	tokens, api := f.practice.Server.Stats().TokenRequests, f.practice.Server.Stats().APIRequests
	statuses, err := f.core.Check(ctx)
	if err != nil || statuses[0].Status != StatusHandedOff || !strings.Contains(statuses[0].Detail, "answered") {
		t.Fatalf("check: %+v, %v", statuses, err)
	}
	if s := f.practice.Server.Stats(); s.TokenRequests != tokens || s.APIRequests == api {
		t.Fatalf("check sent %d token and %d API requests", s.TokenRequests-tokens, s.APIRequests-api)
	}
	// Lightspeed refusing the handed-off access token: it needs a reconnect, not a refresh.
	f.practice.Server.ExpireAccessTokens()
	statuses, err = f.core.Check(ctx)
	if err != nil || statuses[0].Status != StatusNeedsReconnect || f.practice.Server.Stats().TokenRequests != tokens {
		t.Fatalf("refused handed-off token: %+v, %v", statuses, err)
	}
	if statuses[0].Fix().Action != problem.ActionReconnect || len(statuses[0].Notes()) != 1 {
		t.Fatalf("fix %+v, notes %q", statuses[0].Fix(), statuses[0].Notes())
	}
}

// Before the app has refreshed even once, rotation is unknown, and an export hands off.
func TestExportHandsOffWhileRotationIsUnknown(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	id := f.connectOne(t)
	ctx := context.Background()
	if _, err := f.core.Export(ctx, ExportRequest{Path: filepath.Join(t.TempDir(), "a.env"), Format: FormatDotenv}); err != nil {
		t.Fatal(err)
	}
	if err := f.core.Refresh(ctx, id); !problem.Is(err, problem.KindHandedOff) {
		t.Fatalf("refresh after a hand-off while rotation is unknown: %v", err)
	}
	// Exporting it again warns that this computer's copy may be stale, and moves the mark.
	again := filepath.Join(t.TempDir(), "b.json")
	own, err := f.core.ExportOwnership(ctx, ExportRequest{Path: again})
	if err != nil || !own.HandOff || !strings.Contains(own.Sentence, "was already handed off to the integration on") ||
		!strings.Contains(own.Sentence, "reconnect here first") {
		t.Fatalf("second export of a handed-off company: %+v, %v", own, err)
	}
	if _, err := f.core.Export(ctx, ExportRequest{Path: again}); err != nil {
		t.Fatal(err)
	}
	statuses, _ := f.core.Statuses(ctx)
	if statuses[0].HandedOffTo != again {
		t.Fatalf("handed off to %q, want %q", statuses[0].HandedOffTo, again)
	}
}

// When refresh tokens are known not to rotate, both sides may refresh: nothing is marked.
func TestExportMarksNothingWhenRefreshTokensDoNotRotate(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	id := f.connectOne(t)
	ctx := context.Background()
	if err := f.core.Refresh(ctx, id); err != nil {
		t.Fatal(err)
	}
	if rotates, known := f.rotation(t); rotates || !known {
		t.Fatalf("a same-token refresh was recorded as rotates=%t known=%t", rotates, known)
	}
	path := filepath.Join(t.TempDir(), "a.json")
	own, err := f.core.ExportOwnership(ctx, ExportRequest{Path: path, IncludeClientSecret: true})
	if err != nil || own.HandOff || own.Sentence != "" {
		t.Fatalf("ownership: %+v, %v", own, err)
	}
	if _, err := f.core.Export(ctx, ExportRequest{Path: path, IncludeClientSecret: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.core.Refresh(ctx, id); err != nil {
		t.Fatalf("the app stopped refreshing: %v", err)
	}
	if err := testenv.RefreshWorks(ctx, f.practice.Settings.TokenURL, f.practice.Settings.ClientID, f.practice.Settings.ClientSecret, testenv.ExportedRefreshToken(t, path)); err != nil {
		t.Fatalf("the integration's copy: %v", err)
	}
	statuses, _ := f.core.Statuses(ctx)
	if statuses[0].HandedOffAt != nil || statuses[0].Status == StatusHandedOff {
		t.Fatalf("marked: %+v", statuses[0])
	}
}

// KeepOwnership keeps the app refreshing, and says what that risks.
func TestExportKeepOwnership(t *testing.T) {
	f := newFixture(t, PracticeConfig{RotateRefresh: true})
	id := f.connectOne(t)
	ctx := context.Background()
	req := ExportRequest{Path: filepath.Join(t.TempDir(), "a.json"), KeepOwnership: true}
	own, err := f.core.ExportOwnership(ctx, req)
	if err != nil || own.HandOff || !strings.Contains(own.Sentence, "keep refreshing") {
		t.Fatalf("ownership: %+v, %v", own, err)
	}
	if _, err := f.core.Export(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := f.core.Refresh(ctx, id); err != nil {
		t.Fatalf("refresh with ownership kept: %v", err)
	}
	statuses, _ := f.core.Statuses(ctx)
	if statuses[0].HandedOffAt != nil {
		t.Fatal("marked although ownership was kept")
	}
}

// An export that writes no file hands nothing off.
func TestFailedExportTakesTheHandOffBack(t *testing.T) {
	f := newFixture(t, PracticeConfig{RotateRefresh: true})
	id := f.connectOne(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "there.json")
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.core.Export(ctx, ExportRequest{Path: path}); !problem.Is(err, problem.KindExists) {
		t.Fatalf("export over a file: %v", err)
	}
	statuses, _ := f.core.Statuses(ctx)
	if statuses[0].HandedOffAt != nil {
		t.Fatal("a failed export left the company handed off")
	}
	if err := f.core.Refresh(ctx, id); err != nil {
		t.Fatalf("refresh after a failed export: %v", err)
	}
}
