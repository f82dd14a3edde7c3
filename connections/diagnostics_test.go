package connections

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/redact"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

var seedExpiry = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// seedCompany records an integration and a company (checked healthy) the way the connect
// flow and a check would, without a server.
func seedCompany(t *testing.T, v *vault.Vault, id int64, access, refresh string) {
	t.Helper()
	ctx := context.Background()
	err := v.Store.Update(ctx, func(st *vault.State) error {
		st.Integration = vault.Integration{ClientID: "cid", TokenURL: "http://127.0.0.1:9/token", APIBaseURL: "http://127.0.0.1:9/api"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Secrets.SetClientSecret(ctx, "cid", "the-client-secret"); err != nil {
		t.Fatal(err)
	}
	co := vault.Company{ID: id, Name: "Company " + string(rune('A'+id)), Sites: []vault.Site{{ID: id * 10, Name: "Manly"}},
		LastCheck: &vault.Check{Status: "healthy", Detail: "Lightspeed answered.", HTTPStatus: 200, CheckedAt: seedExpiry}}
	if err := v.SaveCompany(ctx, co, vault.Tokens{AccessToken: access, RefreshToken: refresh, Expiry: seedExpiry}); err != nil {
		t.Fatal(err)
	}
}

func TestDiagnosticsAreRedacted(t *testing.T) {
	tv := testenv.NewVault(t)
	core, err := Open(Options{Dir: tv.Dir, Service: tv.Service, Keyring: tv.Keyring})
	if err != nil {
		t.Fatal(err)
	}
	v, fb := core.vault, tv.Keyring
	ctx := context.Background()
	secrets := []string{"access-" + rand.Text(), "refresh-" + rand.Text(), "access-" + rand.Text()}
	seedCompany(t, v, 1, secrets[0], secrets[1])
	seedCompany(t, v, 2, secrets[2], "refresh-gone-"+rand.Text())
	secrets = append(secrets, "the-client-secret")
	if err := fb.Delete(v.Secrets.Service(), "company:2:refresh"); err != nil {
		t.Fatal(err)
	}
	err = v.Store.Update(ctx, func(st *vault.State) error {
		st.Company(1).LastError = &vault.Failure{Kind: problem.KindNetwork, Summary: "Couldn't reach Lightspeed.", At: seedExpiry}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	d := core.Diagnostics(ctx, "1.2.3")
	text := d.Text()
	js, _ := json.Marshal(d)
	for _, out := range []string{text, string(js)} {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Fatalf("diagnostics contain a secret:\n%s", out)
			}
		}
	}
	for _, want := range []string{"1.2.3", "answers", v.Store.Path(), redact.Fingerprint(secrets[0]), redact.Fingerprint(secrets[1]),
		redact.Fingerprint("the-client-secret"), "refresh token missing", "[network] Couldn't reach Lightspeed.", "healthy", "HTTP 200"} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, text)
		}
	}
	if !d.KeyringOK || d.StateSchema != vault.SchemaVersion || len(d.Companies) != 2 || d.Companies[1].TokenProblem == nil {
		t.Errorf("diagnostics: %+v", d)
	}

	// A keyring that does not answer: reported, and no token is read.
	fb.Inject(testenv.OpSet, testenv.FaultErr)
	d = core.Diagnostics(ctx, "1.2.3")
	if d.KeyringOK || d.KeyringProblem.Kind != problem.KindKeyringUnavailable || d.Companies[0].AccessToken != notRead {
		t.Errorf("diagnostics with a broken keyring: %+v", d)
	}
	if !strings.Contains(d.Text(), "NOT AVAILABLE") {
		t.Errorf("text:\n%s", d.Text())
	}

	// A state that cannot be read is reported too.
	fb.Clear()
	badDir := filepath.Join(t.TempDir(), "f", "x")
	bad, _ := Open(Options{Dir: badDir, Service: v.Secrets.Service()})
	_ = os.WriteFile(filepath.Dir(badDir), nil, 0o600)
	if d := bad.Diagnostics(ctx, "1"); d.StateProblem == nil || d.StateProblem.Kind != problem.KindStorage {
		t.Errorf("state problem: %+v", d.StateProblem)
	}
}
