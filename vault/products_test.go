package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// An O-Series state from before products existed is written back byte for byte the way it
// was, schema 1 and none of the products' fields: every older version keeps reading and
// writing it.
func TestOSeriesStateIsWrittenAsBefore(t *testing.T) {
	v, _ := testVault(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	old := `{
  "schema": 1,
  "integration": {
    "client_id": "abc",
    "redirect_uri": "http://127.0.0.1:8765/callback",
    "authorize_url": "https://my.kounta.com/authorize",
    "token_url": "https://api.kounta.com/v1/token.json",
    "api_base_url": "https://api.kounta.com/v1/",
    "practice": false
  },
  "companies": [
    {
      "id": 31001,
      "name": "Harbour Burgers Pty Ltd",
      "sites": [
        {
          "id": 7,
          "name": "Manly"
        }
      ],
      "connected_at": "2026-11-01T10:00:00Z",
      "access_expiry": "2026-11-01T11:00:00Z"
    }
  ]
}
`
	if err := os.WriteFile(v.Store.Path(), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := v.Store.Update(ctx, func(st *State) error {
		if c := st.Company(31001); c == nil || c.ProductOf() != OSeries || st.IntegrationFor("").ClientID != "abc" {
			t.Errorf("an old state doesn't read as O-Series: %+v", st)
		}
		st.Company(31001).ConnectedAt = at
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(v.Store.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"product`, `"external_id"`, `"domain_prefix"`} {
		if bytes.Contains(got, []byte(key)) {
			t.Errorf("an O-Series state gained %s:\n%s", key, got)
		}
	}
	if !bytes.Contains(got, []byte(`"schema": 1,`)) {
		t.Errorf("an O-Series state is no longer schema 1:\n%s", got)
	}
}

// A state that holds another product is written as SchemaProducts, which an app from before
// products refuses to overwrite; once nothing but O-Series is left it is schema 1 again.
func TestOtherProductsRaiseTheSchema(t *testing.T) {
	ctx := context.Background()
	x, _ := LocalID("x-series", "0adfd74a-153e-11e9-fa42-67b5781ba1fb")
	cases := map[string]func(st *State){
		"an integration": func(st *State) {
			st.SetIntegrationFor("k-series", Integration{ClientID: "devp-v2-prod-1"})
		},
		"the chosen product": func(st *State) { st.Product = "r-series" },
		"a company": func(st *State) {
			st.putCompany(Company{ID: x, Product: "x-series", ExternalID: "0adfd74a-153e-11e9-fa42-67b5781ba1fb",
				DomainPrefix: "harbourgoods", Name: "Harbour Goods", Sites: []Site{{ID: 1, ExternalID: "uuid-1", Name: "Main"}}})
		},
	}
	for name, add := range cases {
		t.Run(name, func(t *testing.T) {
			v, _ := testVault(t)
			if err := v.Store.Update(ctx, func(st *State) error {
				st.SetIntegrationFor(OSeries, Integration{ClientID: "abc"})
				add(st)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(v.Store.Path())
			var head struct{ Schema int }
			if err := json.Unmarshal(raw, &head); err != nil || head.Schema != SchemaProducts {
				t.Fatalf("schema %d, want %d:\n%s", head.Schema, SchemaProducts, raw)
			}
			back, err := v.Store.Load(ctx)
			if err != nil || back.Schema != SchemaProducts || !back.holdsProducts() || back.Integration.ClientID != "abc" {
				t.Fatalf("read back %+v, %v", back, err)
			}
			if err := v.Store.Update(ctx, func(st *State) error {
				st.ProductIntegrations, st.Product = nil, ""
				st.removeCompany(x)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			raw, _ = os.ReadFile(v.Store.Path())
			if !bytes.Contains(raw, []byte(`"schema": 1,`)) {
				t.Errorf("O-Series alone again, but not schema 1:\n%s", raw)
			}
		})
	}
}

// A company's products fields survive a save and a load; the newer schema's numbers are still
// refused.
func TestProductFieldsRoundTrip(t *testing.T) {
	v, _ := testVault(t)
	ctx := context.Background()
	id, _ := LocalID("x-series", "0adfd74a")
	in := Company{ID: id, Product: "x-series", ExternalID: "0adfd74a", DomainPrefix: "harbourgoods", Name: "Harbour Goods",
		Sites: []Site{{ID: 9, ExternalID: "outlet-uuid", Name: "Main Street"}}}
	if err := v.Store.Update(ctx, func(st *State) error {
		st.putCompany(in)
		st.SetIntegrationFor("x-series", Integration{ClientID: "xc", RedirectURI: "https://example.com/cb"})
		st.Product = "x-series"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	st, err := v.Store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := st.Company(id)
	if got == nil || got.Product != "x-series" || got.ExternalID != "0adfd74a" || got.DomainPrefix != "harbourgoods" ||
		len(got.Sites) != 1 || got.Sites[0].ExternalID != "outlet-uuid" {
		t.Fatalf("read back %+v", got)
	}
	if st.IntegrationFor("x-series").ClientID != "xc" || st.IntegrationFor(OSeries).ClientID != "" || st.Product != "x-series" {
		t.Errorf("integrations %+v / %+v, product %q", st.Integration, st.ProductIntegrations, st.Product)
	}
	if err := os.WriteFile(v.Store.Path(), []byte(`{"schema": 3, "companies": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err = v.Store.Update(ctx, func(*State) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "newer version") {
		t.Errorf("a schema 3 file was not refused: %v", err)
	}
}

// Local IDs: O-Series keeps Lightspeed's company ID; every other product's is negative (never
// an O-Series ID), stable, and differs between products for the same ID of their own.
func TestLocalIDs(t *testing.T) {
	if id, ok := LocalID("", "31001"); !ok || id != 31001 {
		t.Errorf("O-Series 31001 → %d, %t", id, ok)
	}
	if id, ok := LocalID(OSeries, "31001"); !ok || id != 31001 {
		t.Errorf("O-Series 31001 → %d, %t", id, ok)
	}
	for _, bad := range []string{"", "0", "-5", "x", "1.5", "99999999999999999999"} {
		if id, ok := LocalID(OSeries, bad); ok {
			t.Errorf("O-Series %q → %d", bad, id)
		}
	}
	seen := map[int64]string{}
	for _, p := range []string{"k-series", "x-series", "r-series"} {
		for _, ext := range []string{"31001", "1", "0adfd74a-153e-11e9-fa42-67b5781ba1fb", "9223372036854775807"} {
			id, ok := LocalID(p, ext)
			if !ok || id >= 0 {
				t.Fatalf("%s %q → %d, %t: not negative", p, ext, id, ok)
			}
			if again, _ := LocalID(p, ext); again != id {
				t.Errorf("%s %q is not stable: %d then %d", p, ext, id, again)
			}
			if other, dup := seen[id]; dup {
				t.Errorf("%s %q and %s share %d", p, ext, other, id)
			}
			seen[id] = p + " " + ext
		}
		if _, ok := LocalID(p, ""); ok {
			t.Errorf("%s accepted an empty ID", p)
		}
	}
}

// Each product's integration is its own: its secret's keyring item and what refreshes taught
// about rotation are kept apart even when two products' client IDs are the same.
func TestIntegrationsAreKeptApart(t *testing.T) {
	v, _ := testVault(t)
	ctx := context.Background()
	if IntegrationKey(OSeries, "same") != "same" || IntegrationKey("", "same") != "same" {
		t.Fatal("O-Series' key must stay its client ID")
	}
	if IntegrationKey("x-series", "same") == IntegrationKey("k-series", "same") || IntegrationKey("x-series", "same") == "same" {
		t.Fatal("two products' integrations share a key")
	}
	if err := v.Secrets.SetClientSecret(ctx, IntegrationKey(OSeries, "same"), "o-secret"); err != nil {
		t.Fatal(err)
	}
	if err := v.Secrets.SetClientSecret(ctx, IntegrationKey("x-series", "same"), "x-secret"); err != nil {
		t.Fatal(err)
	}
	if s, _ := v.Secrets.ClientSecret(ctx, "same"); s != "o-secret" {
		t.Errorf("O-Series' secret became %q", s)
	}

	xid, _ := LocalID("x-series", "store-uuid")
	if err := v.Store.Update(ctx, func(st *State) error {
		st.SetIntegrationFor(OSeries, Integration{ClientID: "same"})
		st.SetIntegrationFor("x-series", Integration{ClientID: "same"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := v.SaveCompany(ctx, Company{ID: xid, Product: "x-series", ExternalID: "store-uuid", Name: "Store"},
		Tokens{AccessToken: "a1", RefreshToken: "r1", Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Refresh(ctx, xid, func(context.Context, Tokens) (Tokens, error) {
		return Tokens{AccessToken: "a2", RefreshToken: "r2", Expiry: time.Now().Add(time.Hour)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	st, err := v.Store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rotates, known := st.RotationFor("x-series"); !rotates || !known {
		t.Errorf("X-Series rotation: %t, %t", rotates, known)
	}
	if _, known := st.RotationFor(OSeries); known {
		t.Error("X-Series' rotation was recorded for O-Series' integration")
	}

	snap, err := v.Snapshot(ctx, []int64{xid}, true)
	if err != nil || snap.Product != "x-series" || snap.ClientSecret != "x-secret" || len(snap.Companies) != 1 {
		t.Fatalf("snapshot %v, %v", snap, err)
	}
	if err := v.SaveCompany(ctx, Company{ID: 31001, Name: "O"}, Tokens{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Snapshot(ctx, nil, false); err == nil || !strings.Contains(err.Error(), "different Lightspeed products") {
		t.Errorf("a snapshot of two products: %v", err)
	}
	if snap, err := v.Snapshot(ctx, []int64{31001}, true); err != nil || snap.Product != OSeries || snap.ClientSecret != "o-secret" {
		t.Errorf("O-Series snapshot %v, %v", snap, err)
	}
}
