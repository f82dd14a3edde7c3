package connections

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/redact"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

const xStoreUUID = "0adfd74a-153e-11e9-fa42-67b5781ba1fb"

// xSettings are an X-Series integration's settings; tokenURL "" means production's template.
func xSettings(tokenURL string) Settings {
	return Settings{Product: "x-series", ClientID: "x-client", ClientSecret: "x-secret",
		RedirectURI: "https://support.example.com/lightspeed/callback", TokenURL: tokenURL}
}

// seedXStore records an X-Series store with three outlets and fresh tokens, as a connect
// through its API would; it returns the store's local ID.
func (f *fixture) seedXStore(t *testing.T, access, refresh string) int64 {
	t.Helper()
	id, ok := vault.LocalID("x-series", xStoreUUID)
	if !ok {
		t.Fatal("no local ID")
	}
	co := vault.Company{ID: id, Product: "x-series", ExternalID: xStoreUUID, DomainPrefix: "harbourgoods", Name: "Harbour Goods",
		Sites: []vault.Site{{ID: 1, ExternalID: "o-1", Name: "Main Street"}, {ID: 2, ExternalID: "o-2", Name: "Airport"}, {ID: 3, ExternalID: "o-3", Name: "Online"}}}
	if err := f.vault.SaveCompany(context.Background(), co, vault.Tokens{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return id
}

// oAndXStore is a fixture with an O-Series company connected through the practice server and
// an X-Series store recorded beside it, with X-Series' settings saved.
func oAndXStore(t *testing.T) (f *fixture, o *Connected, x int64) {
	t.Helper()
	f = newFixture(t, PracticeConfig{})
	o, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.core.SaveSettings(context.Background(), xSettings("")); err != nil {
		t.Fatal(err)
	}
	return f, o, f.seedXStore(t, "xa", "xr")
}

// Each product keeps its own settings and secret; saving one chooses it, and O-Series' stay
// as they were.
func TestSettingsArePerProduct(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	ctx := context.Background()
	if p, err := f.core.ChosenProduct(ctx); err != nil || p.ID != "o-series" {
		t.Fatalf("chosen before any other product: %+v, %v", p, err)
	}
	if err := f.core.SaveSettings(ctx, xSettings("")); err != nil {
		t.Fatal(err)
	}
	o, err := f.core.SettingsFor(ctx, "o-series")
	if err != nil || o.ClientID != f.practice.Settings.ClientID || o.ClientSecret != f.practice.Settings.ClientSecret || o.Product != "" {
		t.Fatalf("O-Series settings became %v, %v", o, err)
	}
	x, err := f.core.Settings(ctx) // the product chosen last
	if err != nil || x.Product != "x-series" || x.ClientID != "x-client" || x.ClientSecret != "x-secret" {
		t.Fatalf("X-Series settings %v, %v", x, err)
	}
	if p, _ := f.core.ChosenProduct(ctx); p.ID != "x-series" {
		t.Errorf("chosen %s after saving X-Series' settings", p.ID)
	}
	_, err = f.core.SavedSettingsFor(ctx, "k-series")
	if !problem.Is(err, problem.KindNotFound) || !strings.Contains(problem.Summary(err), "Restaurant K-Series") {
		t.Errorf("K-Series without settings: %v", err)
	}
	raw, _ := os.ReadFile(filepath.Join(f.vault.Store.Dir(), vault.StateFileName))
	var head struct{ Schema int }
	if json.Unmarshal(raw, &head) != nil || head.Schema != vault.SchemaProducts {
		t.Errorf("a state with X-Series is schema %d", head.Schema)
	}
	if err := f.core.SaveSettings(ctx, f.practice.Settings); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.core.ChosenProduct(ctx); p.ID != "o-series" {
		t.Errorf("chosen %s after saving O-Series' settings again", p.ID)
	}
	if x, err := f.core.SettingsFor(ctx, "x-series"); err != nil || x.ClientSecret != "x-secret" {
		t.Errorf("X-Series settings after O-Series' were saved: %v, %v", x, err)
	}
	bad := xSettings("")
	bad.Product = "z-series"
	if err := f.core.SaveSettings(ctx, bad); !problem.Is(err, problem.KindUsage) || !strings.Contains(problem.Summary(err), "o-series") {
		t.Errorf("settings for an unknown product: %v", err)
	}
}

// --company takes the company's ID here, the product's own ID (in any case), or product:ID
// when two products share one.
func TestCompanyIDsResolve(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	ctx := context.Background()
	o, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	x := f.seedXStore(t, "xa", "xr")
	k, _ := vault.LocalID("k-series", o.Company.ExternalID) // a K-Series business sharing O's number
	if err := f.vault.SaveCompany(ctx, vault.Company{ID: k, Product: "k-series", ExternalID: o.Company.ExternalID, Name: "Dockside"},
		vault.Tokens{AccessToken: "ka", RefreshToken: "kr", Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	cases := map[string]int64{
		o.Company.ExternalID:               o.Company.ID,
		strings.ToUpper(xStoreUUID):        x,
		" " + xStoreUUID + " ":             x,
		"k-series:" + o.Company.ExternalID: k,
		"x-series:" + xStoreUUID:           x,
		"999":                              999, // answered by the command's own "No company with ID 999"
		strconv.FormatInt(x, 10):           x,
	}
	for ref, want := range cases {
		if got, err := f.core.CompanyID(ctx, ref); err != nil || got != want {
			t.Errorf("CompanyID(%q) = %d, %v; want %d", ref, got, err, want)
		}
	}
	for _, ref := range []string{"nope", "k-series:12", "x-series:" + strings.Repeat("0", 8)} {
		if _, err := f.core.CompanyID(ctx, ref); !problem.Is(err, problem.KindUsage) {
			t.Errorf("CompanyID(%q): %v; want a usage problem", ref, err)
		}
	}
	for ref, want := range map[string]bool{"31001": true, "-5": true, xStoreUUID: true, "k-series:1": true,
		"abc": false, "": false, "z-series:1": false, "k-series:": false, "0adfd74a-153e-11e9-fa42-67b5781ba1f": false} {
		if LooksLikeCompanyID(ref) != want {
			t.Errorf("LooksLikeCompanyID(%q) = %t", ref, !want)
		}
	}
}

// Every company is checked with its own product's settings: an O-Series company and an
// X-Series store (each through a practice server playing its product) are both healthy, and
// a product whose settings can't be read fails its own companies, never another product's.
func TestChecksUseEachCompanysProduct(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	ctx := context.Background()
	o, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	xp, err := StartPractice(PracticeConfig{Product: "x-series", RotateRefresh: true, StrictRotation: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = xp.Close() })
	if err := f.core.SaveSettings(ctx, xp.Settings); err != nil {
		t.Fatal(err)
	}
	xc, err := f.connect(t, 1, ConnectOptions{Product: "x-series"})
	if err != nil {
		t.Fatal(err)
	}
	x := xc.Company.ID
	byID := func(statuses []CompanyStatus) map[int64]CompanyStatus {
		m := map[int64]CompanyStatus{}
		for _, s := range statuses {
			m[s.ID] = s
		}
		return m
	}
	got, err := f.core.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := byID(got)
	if s[o.Company.ID].Status != StatusHealthy || s[x].Status != StatusHealthy || s[x].Product.ID != "x-series" {
		t.Errorf("O-Series company: %s %q; X-Series store: %s %q", s[o.Company.ID].Status, s[o.Company.ID].Detail, s[x].Status, s[x].Detail)
	}
	// X-Series' secret gone from the keyring: its store fails with that, O-Series is unaffected.
	if err := f.keyring.Delete(f.vault.Secrets.Service(), "client-secret:"+vault.IntegrationKey("x-series", xp.Settings.ClientID)); err != nil {
		t.Fatal(err)
	}
	got, err = f.core.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s = byID(got)
	if s[o.Company.ID].Status != StatusHealthy || !strings.Contains(s[x].Detail, "Client Secret is missing") {
		t.Errorf("after X-Series' secret went: O %s, X %s %q", s[o.Company.ID].Status, s[x].Status, s[x].Detail)
	}
	results, err := f.core.RefreshAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if (r.Err == nil) != (r.Company.ID == o.Company.ID) {
			t.Errorf("refresh of %s (%s): %v", r.Company.Name, r.Company.Product.ID, r.Err)
		}
	}
}

// tokenEndpoint is a loopback token endpoint that answers one refresh the way RFC 6749 §5.1
// says, checking what X-Series requires: a POST to the store's own address with the client's
// credentials and the refresh token in the form body.
type tokenEndpoint struct {
	// store is the domain_prefix the reply names ("" is the seeded store's, harbourgoods).
	store string
	mu    sync.Mutex
	paths []string
	forms []map[string]string
}

func (e *tokenEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	}
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = r.PostForm.Get(k)
	}
	e.mu.Lock()
	e.paths, e.forms = append(e.paths, r.URL.Path), append(e.forms, form)
	e.mu.Unlock()
	if form["grant_type"] != "refresh_token" || form["client_id"] != "x-client" || form["client_secret"] != "x-secret" || form["refresh_token"] != "xr" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
		return
	}
	store := e.store
	if store == "" {
		store = "harbourgoods"
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"access_token":"xa2","refresh_token":"xr2","token_type":"Bearer","expires_in":3600,"domain_prefix":"` + store + `"}`))
}

// A refresh of an X-Series store whose reply names another store is refused, and the tokens
// it brought are not stored as the store's.
func TestXSeriesRefreshNamingAnotherStoreIsRefused(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	ctx := context.Background()
	ep := &tokenEndpoint{store: "someoneelse"}
	srv := httptest.NewServer(ep)
	defer srv.Close()
	if err := f.core.SaveSettings(ctx, xSettings(srv.URL+"/stores/{domain_prefix}/api/1.0/token")); err != nil {
		t.Fatal(err)
	}
	x := f.seedXStore(t, "xa", "xr")
	if err := f.core.Refresh(ctx, x); !problem.Is(err, problem.KindWrongCompany) {
		t.Fatalf("a refresh answered for another store: %v", err)
	}
	if tokens, _ := f.vault.Tokens(ctx, x); tokens.AccessToken == "xa2" {
		t.Error("the other store's tokens were stored as this store's")
	}
}

// An X-Series store is refreshed at its own store's token address, built from the domain
// prefix recorded at connect; what rotation showed is recorded for X-Series' integration.
func TestXSeriesStoreRefreshesAtItsOwnAddress(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	ctx := context.Background()
	ep := &tokenEndpoint{}
	srv := httptest.NewServer(ep)
	defer srv.Close()
	if err := f.core.SaveSettings(ctx, xSettings(srv.URL+"/stores/{domain_prefix}/api/1.0/token")); err != nil {
		t.Fatal(err)
	}
	x := f.seedXStore(t, "xa", "xr")
	if err := f.core.Refresh(ctx, x); err != nil {
		t.Fatal(err)
	}
	if len(ep.paths) != 1 || ep.paths[0] != "/stores/harbourgoods/api/1.0/token" {
		t.Fatalf("token requests went to %q", ep.paths)
	}
	tokens, err := f.vault.Tokens(ctx, x)
	if err != nil || tokens.AccessToken != "xa2" || tokens.RefreshToken != "xr2" {
		t.Fatalf("stored %v, %v", tokens, err)
	}
	st, _ := f.vault.Store.Load(ctx)
	if rotates, known := st.RotationFor("x-series"); !rotates || !known {
		t.Errorf("X-Series rotation: %t %t", rotates, known)
	}
	if _, known := st.RotationFor("o-series"); known {
		t.Error("X-Series' refresh taught O-Series' integration something")
	}
}

// status, the hand-off and exec name each company's product, its own ID and its API address
// (an X-Series store's own); `status --json` adds the product beside every field it had.
func TestStatusAndCredentialsNameTheProduct(t *testing.T) {
	f, o, x := oAndXStore(t)
	ctx := context.Background()
	statuses, err := f.core.Statuses(ctx)
	if err != nil || len(statuses) != 2 {
		t.Fatalf("statuses %v, %v", statuses, err)
	}
	for _, s := range statuses {
		raw, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		for _, key := range []string{"company_id", "company_name", "sites", "sites_visible", "sites_total", "status", "access_expires_at", "last_refresh_at", "last_check_at", "detail"} {
			if _, ok := m[key]; !ok {
				t.Errorf("status --json lost %s: %s", key, raw)
			}
		}
		want := map[int64][4]string{o.Company.ID: {"o-series", "Restaurant O-Series (formerly Kounta)", "3 sites", o.Company.ExternalID},
			x: {"x-series", "Retail X-Series (formerly Vend)", "3 outlets", xStoreUUID}}[s.ID]
		if m["product"] != want[0] || m["product_name"] != want[1] || m["sites_summary"] != want[2] || m["external_id"] != want[3] {
			t.Errorf("status --json: %s; want %q", raw, want)
		}
		var back CompanyStatus
		if err := json.Unmarshal(raw, &back); err != nil || back.Product.ID != want[0] || back.ExternalID != want[3] || back.ID != s.ID {
			t.Errorf("read back %+v, %v", back, err)
		}
	}
	cr, err := f.core.Credentials(ctx, x, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Product.ID != "x-series" || cr.APIBaseURL != "https://harbourgoods.retail.lightspeed.app/api/2.0/" || cr.Company.ExternalID != xStoreUUID || cr.Token.Value != "xa" {
		t.Errorf("X-Series credentials: %v %s %s", cr, cr.APIBaseURL, cr.Company.ExternalID)
	}
	cr, err = f.core.Credentials(ctx, o.Company.ID, time.Minute)
	if err != nil || cr.Product.ID != "o-series" || cr.APIBaseURL != f.practice.Settings.APIURL {
		t.Errorf("O-Series credentials: %v %s, %v", cr, cr.APIBaseURL, err)
	}
	if note := (Company{Name: "Harbour Goods", Product: mustProduct(t, "x-series"), Sites: []Site{{}}, SitesTotal: 3}).SitesNote(); !strings.Contains(note, "1 of Harbour Goods' 3 outlets") {
		t.Errorf("sites note in X-Series' words: %q", note)
	}
}

func mustProduct(t *testing.T, id string) Product {
	t.Helper()
	p, err := ProductByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// An export is for one product's integration: several products at once are refused, and
// --product picks one; an X-Series store carries its own token and API addresses, and is
// handed off at once (X-Series documents rotation).
func TestExportIsPerProduct(t *testing.T) {
	f, o, x := oAndXStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := f.core.ExportOwnership(ctx, ExportRequest{Path: filepath.Join(dir, "all.json")}); !problem.Is(err, problem.KindUsage) {
		t.Errorf("ownership of an export of two products: %v", err)
	}
	if _, err := f.core.Export(ctx, ExportRequest{Path: filepath.Join(dir, "all.json")}); !problem.Is(err, problem.KindUsage) ||
		!strings.Contains(problem.Summary(err), "different Lightspeed products") {
		t.Fatalf("export of two products: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "all.json")); err == nil {
		t.Error("a refused export wrote a file")
	}
	if _, err := f.core.Export(ctx, ExportRequest{Path: filepath.Join(dir, "k.json"), Product: "k-series"}); !problem.Is(err, problem.KindNotFound) {
		t.Errorf("export of K-Series with none connected: %v", err)
	}
	req := ExportRequest{Path: filepath.Join(dir, "x.json"), Product: "x-series", IncludeClientSecret: true}
	own, err := f.core.ExportOwnership(ctx, req)
	if err != nil || !own.HandOff || !strings.Contains(own.Sentence, "changes the refresh token") {
		t.Errorf("X-Series ownership: %+v, %v", own, err)
	}
	if _, err := f.core.Export(ctx, req); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(req.Path)
	var doc struct {
		Product, ClientID, ClientSecret, TokenURL, APIBaseURL string
		Companies                                             []struct {
			CompanyID            int64 `json:"company_id"`
			ExternalID           string
			TokenURL, APIBaseURL string
			Sites                []struct {
				ID         int64
				ExternalID string
			}
		}
	}
	dec := json.NewDecoder(strings.NewReader(snakeToCamel(string(raw))))
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Product != "x-series" || doc.ClientID != "x-client" || doc.ClientSecret != "x-secret" || len(doc.Companies) != 1 {
		t.Fatalf("X-Series export: %s", raw)
	}
	c := doc.Companies[0]
	if c.CompanyID != x || c.ExternalID != xStoreUUID || c.TokenURL != "https://harbourgoods.retail.lightspeed.app/api/1.0/token" ||
		c.APIBaseURL != "https://harbourgoods.retail.lightspeed.app/api/2.0/" || doc.TokenURL != c.TokenURL || len(c.Sites) != 3 || c.Sites[0].ExternalID != "o-1" {
		t.Errorf("X-Series store in the export: %s", raw)
	}
	st, _ := f.vault.Store.Load(ctx)
	if st.Company(x).HandedOff == nil || st.Company(o.Company.ID).HandedOff != nil {
		t.Errorf("hand-off marks: X %v, O %v", st.Company(x).HandedOff, st.Company(o.Company.ID).HandedOff)
	}
}

// snakeToCamel lets a test struct read the export's snake_case keys without tags.
func snakeToCamel(s string) string {
	return strings.NewReplacer(`"client_id"`, `"ClientID"`, `"client_secret"`, `"ClientSecret"`, `"token_url"`, `"TokenURL"`,
		`"api_base_url"`, `"APIBaseURL"`, `"external_id"`, `"ExternalID"`).Replace(s)
}

// The API pace a product runs at when none is set is its own (60 for X-Series, whose limit is
// per store), and a pace set to O-Series' default stays set for X-Series.
func TestAPIPaceDefaultIsTheProducts(t *testing.T) {
	var pace Setting
	for _, s := range AdvancedSettings() {
		if s.Key == "requests_per_minute" {
			pace = s
		}
	}
	x := Settings{Product: "x-series"}
	if got := pace.Value(x); got != 60 {
		t.Errorf("X-Series' default pace shows as %d", got)
	}
	pace.set(&x, DefaultRequestsPerMinute)
	if x.RequestsPerMinute != DefaultRequestsPerMinute {
		t.Errorf("X-Series at %d a minute was saved as %d", DefaultRequestsPerMinute, x.RequestsPerMinute)
	}
	pace.set(&x, 60)
	if x.RequestsPerMinute != 0 {
		t.Errorf("X-Series' own default was saved as %d, not as the default", x.RequestsPerMinute)
	}
	if got := pace.Value(Settings{}); got != DefaultRequestsPerMinute {
		t.Errorf("O-Series' default pace shows as %d", got)
	}
	f := &Core{pacer: nil}
	if p := f.pacerFor(Settings{Product: "x-series"}); p == nil || p.PerMinute() != 60 {
		t.Errorf("X-Series is paced at %v", p)
	}
}

// The diagnostics describe every product's integration (the secret as a fingerprint) and say
// of each other product's company its product, its own ID and its store.
func TestDiagnosticsNameEveryProduct(t *testing.T) {
	f, _, _ := oAndXStore(t)
	d := f.core.Diagnostics(context.Background(), "test")
	text := d.Text()
	for _, want := range []string{"Integration (x-series): client ID \"x-client\", client secret " + redact.Fingerprint("x-secret"),
		"x-series, its own ID " + xStoreUUID + ", store harbourgoods", "(schema 2)"} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, text)
		}
	}
	js, _ := json.Marshal(d)
	if strings.Contains(text+string(js), "x-secret") || strings.Contains(string(js), `"xr"`) || strings.Contains(string(js), `"xa"`) {
		t.Errorf("diagnostics contain a secret:\n%s", js)
	}
	if d.ProductIntegrations["x-series"].ClientSecret != redact.Fingerprint("x-secret") {
		t.Errorf("X-Series integration: %+v", d.ProductIntegrations)
	}
}

// A business whose local ID is already another business's record (two IDs meeting in the
// hash) is refused with a sentence, and the record there is left as it was.
func TestAConnectNeverLandsOnAnotherBusinesssRecord(t *testing.T) {
	f, _, x := oAndXStore(t)
	ctx := context.Background()
	other, err := companyOfAccount("x-series", lightspeed.Account{ID: xStoreUUID, Name: "Someone Else"}, time.Now())
	if err != nil || other.ID != x {
		t.Fatalf("companyOfAccount: %+v, %v", other, err)
	}
	other.ExternalID = "another-store" // as if another store's ID hashed to the same number
	s, _ := f.core.SettingsFor(ctx, "x-series")
	_, err = f.core.store(ctx, other, vault.Tokens{AccessToken: "oa", RefreshToken: "or", Expiry: time.Now().Add(time.Hour)}, s, 0)
	if AsUnsaved(err) == nil || !strings.Contains(problem.Summary(err), "can't be kept beside Harbour Goods") {
		t.Fatalf("store over another business: %v", err)
	}
	if tokens, _ := f.vault.Tokens(ctx, x); tokens.RefreshToken != "xr" {
		t.Errorf("the store's tokens became %v", tokens)
	}
	st, _ := f.vault.Store.Load(ctx)
	if co := st.Company(x); co == nil || co.Name != "Harbour Goods" || co.ExternalID != xStoreUUID {
		t.Errorf("the store's record became %+v", co)
	}
	// The same business again is a reconnect, as always.
	same, _ := companyOfAccount("x-series", lightspeed.Account{ID: xStoreUUID, Name: "Harbour Goods", DomainPrefix: "harbourgoods"}, time.Now())
	got, err := f.core.store(ctx, same, vault.Tokens{AccessToken: "xa3", RefreshToken: "xr3", Expiry: time.Now().Add(time.Hour)}, s, x)
	if err != nil || !got.Replaced || got.Company.Product.ID != "x-series" {
		t.Errorf("reconnect: %+v, %v", got, err)
	}
}
