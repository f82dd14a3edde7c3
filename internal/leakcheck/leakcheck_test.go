package leakcheck

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/export"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Planted secrets: long and distinctive, so a scan cannot miss them or find them by chance.
const (
	plantedSecret  = "PLANTED-client-secret-4f1d2c9e8b7a"
	plantedAccess  = "PLANTED-access-token-9a8b7c6d5e4f"
	plantedRefresh = "PLANTED-refresh-token-1a2b3c4d5e6f"
)

// plantedToken is a token source holding an access token, as a connection's does.
type plantedToken string

func (t plantedToken) AccessToken(context.Context, bool) (string, error) { return string(t), nil }

// subject is one value of a type that holds secrets, and the secrets it holds.
type subject struct {
	name    string
	value   any
	secrets []string
	// wireJSON marks the practice server's types whose JSON is what the server or the
	// practice-server command sends on purpose (a token reply, its own made-up details):
	// encoding/json must write them whole, so only slog's JSON handler given the value itself
	// (which uses LogValue) is scanned.
	wireJSON bool
}

// renderings are everything a stray print or log line could show of v: every fmt verb of
// the value, of a pointer to it, of a slice of it and of a struct holding it, and slog's text
// and JSON handlers given the value and a slice of it.
func renderings(v any, wireJSON bool) []string {
	vals := []any{v, []any{v}, struct{ Field any }{v}}
	if rv := reflect.ValueOf(v); rv.Kind() != reflect.Pointer {
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		vals = append(vals, p.Interface())
		s := reflect.MakeSlice(reflect.SliceOf(rv.Type()), 1, 1)
		s.Index(0).Set(rv)
		vals = append(vals, s.Interface())
	}
	var out []string
	for i, x := range vals {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			out = append(out, fmt.Sprintf(verb, x))
		}
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", x)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "v", x)
		out = append(out, text.String())
		if i == 0 || !wireJSON {
			out = append(out, js.String())
		}
	}
	return out
}

// TestEveryTypeHoldingASecretPrintsRedacted plants secrets in every exported type that holds
// one, directly or through a field: built by hand where its fields are exported, through the
// real flows (a connect against the practice server with the keyring refusing, a refresh the
// keyring refuses) where they are not. None may appear in any rendering.
func TestEveryTypeHoldingASecretPrintsRedacted(t *testing.T) {
	tokens := vault.Tokens{AccessToken: plantedAccess, RefreshToken: plantedRefresh, Expiry: time.Unix(2e9, 0)}
	all := []string{plantedSecret, plantedAccess, plantedRefresh}
	subjects := []subject{
		{"connections.Settings", connections.Settings{ClientID: "cid", ClientSecret: plantedSecret, RedirectURI: "http://127.0.0.1:8080/callback"}, all, false},
		{"connections.PracticeConfig", connections.PracticeConfig{ClientSecret: plantedSecret}, all, false},
		{"connections.PracticeInfo", connections.PracticeInfo{ClientSecret: plantedSecret}, all, true},
		{"vault.Tokens", tokens, all, false},
		{"vault.Snapshot", vault.Snapshot{ClientSecret: plantedSecret, Companies: []vault.Company{{ID: 1}}, Tokens: []vault.Tokens{tokens}}, all, false},
		{"export.Doc", export.Doc{ClientSecret: plantedSecret, Companies: []export.Company{{ID: 1, AccessToken: plantedAccess, RefreshToken: plantedRefresh}}}, all, false},
		{"export.Company", export.Company{ID: 1, AccessToken: plantedAccess, RefreshToken: plantedRefresh}, all, false},
		{"oauth.Result", oauth.Result{AccessToken: plantedAccess, RefreshToken: plantedRefresh}, all, false},
		{"oauth.Config", oauth.Config{ClientID: "cid", ClientSecret: plantedSecret}, all, false},
		{"oauth.RefreshConfig", oauth.RefreshConfig{ClientID: "cid", ClientSecret: plantedSecret, RefreshToken: plantedRefresh}, all, false},
		{"lightspeed.Client", lightspeed.New("https://api.example.com", plantedToken(plantedAccess)), all, false},
		{"practice.TokenSet", practice.TokenSet{AccessToken: plantedAccess, RefreshToken: plantedRefresh}, all, true},
	}
	subjects = append(subjects, fromFlows(t)...)
	for _, s := range subjects {
		for i, r := range renderings(s.value, s.wireJSON) {
			for _, secret := range s.secrets {
				if strings.Contains(r, secret) {
					t.Errorf("%s: rendering %d shows a secret: %s", s.name, i, r)
					break
				}
			}
		}
	}
}

// fromFlows builds the types whose secrets sit in unexported fields, through the real flows.
func fromFlows(t *testing.T) []subject {
	t.Helper()
	tv := testenv.NewVault(t)
	core, err := connections.Open(connections.Options{Dir: tv.Dir, Service: tv.Service, Keyring: tv.Keyring, KeyringTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p, err := connections.StartPractice(connections.PracticeConfig{RotateRefresh: true, StrictRotation: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := core.SaveSettings(ctx, p.Settings); err != nil {
		t.Fatal(err)
	}
	// An attempt, caught before its answer: it holds the settings, the state and the verifier.
	attempt, err := core.StartConnect(ctx, connections.ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(attempt.AuthURL())
	session, err := oauth.Start(ctx, oauth.Config{Profile: oauth.Profile{Name: "practice", AuthorizeURL: p.Settings.AuthorizeURL,
		TokenURL: p.Settings.TokenURL, APIURL: p.Settings.APIURL}, ClientID: p.Settings.ClientID, ClientSecret: p.Settings.ClientSecret,
		RedirectURI: "https://integration.example.com/callback"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = session.Close() })
	sessionState := ""
	if su, err := url.Parse(session.AuthURL()); err == nil {
		sessionState = su.Query().Get("state")
	}
	// The connection comes back unsaved: the keyring refuses it after the consent.
	callback, err := testenv.Consent(ctx, attempt.AuthURL(), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	tv.Keyring.RefuseWrites(true)
	go func() { _ = testenv.Get(ctx, callback) }()
	_, err = attempt.Wait(ctx)
	unsaved := connections.AsUnsaved(err)
	if unsaved == nil {
		t.Fatalf("connect with the keyring refusing: %v; want an UnsavedError", err)
	}
	tv.Keyring.RefuseWrites(false)
	if _, err := unsaved.Retry(ctx); err != nil {
		t.Fatal(err)
	}
	// A refresh the keyring refuses: the core now holds the new tokens in memory.
	tv.Keyring.RefuseWrites(true)
	refreshErr := core.Refresh(ctx, 31001)
	if connections.AsUnsaved(refreshErr) == nil {
		t.Fatalf("refresh with the keyring refusing: %v; want an UnsavedError", refreshErr)
	}
	tv.Keyring.RefuseWrites(false)
	practiceServer, err := connections.StartPracticeServer("127.0.0.1:0", connections.PracticeConfig{ClientSecret: plantedSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = practiceServer.Shutdown(context.Background()) })

	issued := append(p.Server.IssuedSecrets(), p.Settings.ClientSecret, u.Query().Get("state"), sessionState, plantedSecret)
	return []subject{
		{"connections.Attempt", attempt, issued, false},
		{"connections.UnsavedError (connect)", unsaved, issued, false},
		{"connections.UnsavedError (refresh)", connections.AsUnsaved(refreshErr), issued, false},
		{"the error of a refresh the keyring refused", refreshErr, issued, false},
		{"connections.RefreshResult", connections.RefreshResult{Company: unsaved.Company(), Err: refreshErr}, issued, false},
		{"connections.Core", core, issued, false},
		{"connections.Practice", p, issued, false},
		{"connections.PracticeServer", practiceServer, issued, false},
		{"oauth.Session", session, issued, false},
		{"practice.Server", p.Server, issued, false},
	}
}
