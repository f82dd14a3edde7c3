package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv/models"
)

// The independent check per product (issue 22): the command line against a model of each
// product written from docs/providers.md apart from the practice server
// (internal/testenv/models). Each connects, lists what was connected over more than one page,
// refreshes twice with single-use refresh tokens, and survives a Ctrl+C during a refresh.

// modelOptions shape each product's model so that what was connected spans more than one of
// the app's pages (the profiles ask O-Series for 25, X- and R-Series for 100 a page). A
// K-Series connection is one business, and its locations come whole with it: its list of
// businesses pages at the API client's level (lightspeed), not here.
var modelOptions = map[string]models.Options{
	models.OSeries: {Businesses: 2, Business: 1, Shops: 30},
	models.KSeries: {Businesses: 1, Shops: 40},
	models.XSeries: {Businesses: 2, Business: 1, Shops: 201},
	models.RSeries: {Businesses: 2, Business: 1, Shops: 101},
}

// modelFixture is a fixture whose browser plays a model's consent.
func modelFixture(t *testing.T, m *models.Model) *fixture {
	t.Helper()
	tv := testenv.NewVault(t)
	return &fixture{opts: connections.Options{Dir: tv.Dir, Service: tv.Service, Keyring: tv.Keyring}, keyring: tv.Keyring, browse: m.Browse}
}

// modelSettingsFlags point connect at the model, with a loopback Redirect URI registered there.
func modelSettingsFlags(t *testing.T, m *models.Model) []string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", ln.Addr().(*net.TCPAddr).Port)
	_ = ln.Close()
	m.Register(redirect)
	return []string{"--product", m.Product, "--client-id", m.ClientID, "--client-secret-stdin", "--redirect-uri", redirect,
		"--authorize-url", m.AuthorizeURL, "--token-url", m.TokenURL, "--api-url", m.APIURL}
}

// keptRefreshToken reads the stored refresh token through an export that keeps ownership, so
// the app keeps refreshing the company afterwards.
func (f *fixture) keptRefreshToken(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kept.json")
	if r := f.run(t, "", "export", "--keep-ownership", "--out", path); r.code != 0 {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	return testenv.ExportedRefreshToken(t, path)
}

// assertNoModelSecretPrinted: no code, token or client secret of the model reached the terminal
// (token's and exec's stdout, which hand the access token over, aside).
func (f *fixture) assertNoModelSecretPrinted(t *testing.T, m *models.Model) {
	t.Helper()
	printed := strings.Join(f.seen, "\n")
	for _, s := range m.IssuedSecrets() {
		if strings.Contains(printed, s) {
			t.Errorf("a secret of the %s model was printed", m.Product)
		}
	}
}

// assertOneStatus checks status --json: one company, of product, named name, with shops shops
// from first to last.
func (f *fixture) assertOneStatus(t *testing.T, product, name, first, last string, shops int) {
	t.Helper()
	r := f.run(t, "", "status", "--json")
	var statuses []struct {
		Product string `json:"product"`
		Name    string `json:"company_name"`
		Sites   []struct {
			Name string `json:"name"`
		} `json:"sites"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &statuses); err != nil || len(statuses) != 1 {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	st := statuses[0]
	if st.Product != product || st.Name != name || len(st.Sites) != shops || st.Sites[0].Name != first || st.Sites[shops-1].Name != last {
		t.Fatalf("status --json: product %q, %q with %d shops, want %s, %q with %d (%q … %q)", st.Product, st.Name, len(st.Sites),
			product, name, shops, first, last)
	}
}

// TestEachProductAgainstItsModel: connect --product P, then status --json names the product
// and every shop (more than one page's worth), refresh twice (each stores a new refresh token
// and the used one is dead), and token hands over an access token the model accepts.
func TestEachProductAgainstItsModel(t *testing.T) {
	for _, p := range models.All {
		t.Run(p, func(t *testing.T) {
			opts := modelOptions[p]
			m := models.New(t, p, opts)
			f := modelFixture(t, m)
			if r := f.connect(t, 0, m.ClientSecret+"\n", modelSettingsFlags(t, m)...); r.code != 0 {
				t.Fatalf("connect --product %s: exit %d\n%s%s", p, r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(f.seen[len(f.seen)-2], models.BusinessName(opts.Business)) {
				t.Errorf("connect did not name %q:\n%s", models.BusinessName(opts.Business), f.seen[len(f.seen)-2])
			}

			f.assertOneStatus(t, p, models.BusinessName(opts.Business), models.ShopName(opts.Business, 0),
				models.ShopName(opts.Business, opts.Shops-1), opts.Shops)

			for round := range 2 {
				before := f.keptRefreshToken(t)
				if r := f.run(t, "", "refresh"); r.code != 0 {
					t.Fatalf("refresh %d: exit %d\n%s", round, r.code, r.stderr)
				}
				after := f.keptRefreshToken(t)
				if after == before || m.RefreshWorks(before) || !m.RefreshWorks(after) {
					t.Fatalf("refresh %d: rotated %v, old one live %v, stored one live %v", round, after != before, m.RefreshWorks(before), m.RefreshWorks(after))
				}
			}
			if m.Reuses() != 0 {
				t.Fatalf("the app presented a used refresh token %d times", m.Reuses())
			}

			r := f.run(t, "", "token")
			if tok := strings.TrimSpace(r.stdout); r.code != 0 || !m.AccessWorks(tok) {
				t.Fatalf("token: exit %d, accepted by the model %v\n%s", r.code, m.AccessWorks(tok), r.stderr)
			}
			f.assertNoModelSecretPrinted(t, m)
		})
	}
}

// TestEachProductSurvivesInterruptDuringRefresh runs `refresh` in a child process against each
// product's model, answering slowly, and sends SIGINT while the refresh is on its way. The
// command says it is finishing and stores the rotated token: the stored refresh token is the
// live one at the model, and no used token was ever presented again.
func TestEachProductSurvivesInterruptDuringRefresh(t *testing.T) {
	for _, p := range models.All {
		t.Run(p, func(t *testing.T) {
			m := models.New(t, p, modelOptions[p])
			f := modelFixture(t, m)
			if r := f.connect(t, 0, m.ClientSecret+"\n", modelSettingsFlags(t, m)...); r.code != 0 {
				t.Fatalf("connect: exit %d\n%s", r.code, r.stderr)
			}
			m.SetLatency(400 * time.Millisecond)
			seen := m.TokenRequests()
			var stderr, stdout bytes.Buffer
			child := exec.Command(os.Args[0], "-test.run=^$", childArgsMark, "refresh")
			child.Env = append(os.Environ(), cliChildEnv+"=1", cliChildDirEnv+"="+f.opts.Dir, cliChildServiceEnv+"="+f.opts.Service)
			child.Stderr = &stderr
			child.Stdout = &stdout
			child.Dir = t.TempDir()
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			waitForTokenRequest(t, m.TokenRequests, seen)
			time.Sleep(time.Duration(rand.IntN(250)) * time.Millisecond)
			_ = child.Process.Signal(os.Interrupt)
			time.Sleep(20 * time.Millisecond)
			_ = child.Process.Signal(os.Interrupt) // a second press: it must keep waiting
			err := child.Wait()
			m.SetLatency(0)
			if !strings.Contains(stderr.String(), connections.FinishingRefresh) {
				t.Fatalf("the signal did not land during the refresh, or nothing was said: %q (%v, stdout %q)", stderr.String(), err, stdout.String())
			}
			stored := f.keptRefreshToken(t)
			if !m.RefreshWorks(stored) || m.Reuses() != 0 {
				t.Fatalf("after Ctrl+C during the refresh the stored refresh token is dead (live %v, reuses %d)\n%s",
					m.RefreshWorks(stored), m.Reuses(), stderr.String())
			}
			if r := f.run(t, "", "refresh"); r.code != 0 {
				t.Fatalf("refresh after the interrupted one: exit %d\n%s", r.code, r.stderr)
			}
		})
	}
}
