package connections

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

var wordsNow = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

func before(d time.Duration) *time.Time { t := wordsNow.Add(-d); return &t }

func after(d time.Duration) *time.Time { t := wordsNow.Add(d); return &t }

func TestTimeWords(t *testing.T) {
	cases := []struct{ got, want string }{
		{TimeLeft(nil, wordsNow), "—"},
		{TimeLeft(before(time.Second), wordsNow), "expired"},
		{TimeLeft(after(0), wordsNow), "expired"},
		{TimeLeft(after(30*time.Second), wordsNow), "<1 min left"},
		{TimeLeft(after(42*time.Minute+30*time.Second), wordsNow), "42 min left"},
		{TimeLeft(after(119*time.Minute), wordsNow), "119 min left"},
		{TimeLeft(after(5*time.Hour), wordsNow), "5 h left"},
		{Ago(nil, wordsNow), "not yet"},
		{Ago(before(10*time.Second), wordsNow), "just now"},
		{Ago(before(18*time.Minute), wordsNow), "18 min ago"},
		{Ago(before(3*time.Hour), wordsNow), "3 h ago"},
		{Ago(before(47*time.Hour), wordsNow), "47 h ago"},
		{Ago(before(72*time.Hour), wordsNow), "3 days ago"},
		{SiteCount(0), "0 sites"},
		{SiteCount(1), "1 site"},
		{SiteCount(3), "3 sites"},
		{SitesLine(nil), "No sites yet."},
		{SitesLine([]Site{{Name: "Parramatta"}, {Name: "Manly"}}), "Sites: Parramatta · Manly"},
		{(&Connected{Company: Company{Name: "Bondi Bean Co."}}).Headline(), "Connected: Bondi Bean Co."},
		{(&Connected{Company: Company{Name: "Bondi Bean Co."}, Replaced: true}).Headline(), "Reconnected: Bondi Bean Co."},
		{SavedTo("/tmp/x.env"), "Saved to /tmp/x.env. It contains secrets: keep it private."},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestStatusLabels(t *testing.T) {
	want := map[Status]string{StatusHealthy: "Healthy", StatusNeedsReconnect: "Needs reconnect",
		StatusCredentialsInvalid: "Credentials invalid", StatusUnreachable: "Offline", StatusUnknown: "Not checked"}
	for s, label := range want {
		if got := StatusLabel(s); got != label {
			t.Errorf("StatusLabel(%s) = %q, want %q", s, got, label)
		}
	}
}

func TestFormatFor(t *testing.T) {
	for path, want := range map[string]Format{
		"/home/a/.env": FormatDotenv, "prod.env": FormatDotenv, "PROD.ENV": FormatDotenv,
		"tokens.json": FormatJSON, "tokens": FormatJSON, "env": FormatJSON, "/x.env/tokens.json": FormatJSON,
		"secret.yaml": FormatK8sSecret, "/k/Secret.YML": FormatK8sSecret, "yaml": FormatJSON,
	} {
		if got := FormatFor(path); got != want {
			t.Errorf("FormatFor(%q) = %s, want %s", path, got, want)
		}
		if got := FormatFor("x" + want.Ext()); got != want {
			t.Errorf("%s's Ext does not lead back to it", want)
		}
	}
}

// TestFixesFollowTheStatus: every status that needs attention carries an action, a raiser's
// own fix wins over the status's, and the company is named.
func TestFixesFollowTheStatus(t *testing.T) {
	cases := []struct {
		err  error
		want problem.Action
	}{
		{problem.New(problem.KindInvalidGrant, "x", nil), problem.ActionReconnect},
		{problem.New(problem.KindInvalidClient, "x", nil), problem.ActionCopySettings},
		{problem.New(problem.KindNetwork, "x", nil), problem.ActionCheckInternet},
		{problem.New(problem.KindKeyringUnavailable, "x", nil), problem.ActionUnlockKeyring},
		{problem.New(problem.KindBusy, "x", nil), problem.ActionRetry},
		{errNoSettings, problem.ActionSetUp},
		{problem.New(problem.KindInvalidClient, "x", nil).WithFix(problem.Fix{Action: problem.ActionEnterSecret}), problem.ActionEnterSecret},
	}
	for _, c := range cases {
		got := FixFor(c.err, 31001)
		if got.Action != c.want {
			t.Errorf("%s: fix %q, want %q", problem.KindOf(c.err), got.Action, c.want)
		}
		if c.want == problem.ActionReconnect && got.CompanyID != 31001 {
			t.Errorf("reconnect names company %d", got.CompanyID)
		}
	}
	if f := FixFor(nil, 1); f.Action != problem.ActionNone {
		t.Errorf("no failure, fix %q", f.Action)
	}
}

// TestRecoveredSentence: what was rebuilt from the last-good copy is one sentence: how many,
// from when, where the damaged file went (or that the list was missing), and the companies
// that need a reconnect, the first three by name.
func TestRecoveredSentence(t *testing.T) {
	saved := time.Date(2026, 12, 3, 14, 2, 0, 0, time.Local)
	named := func(ids ...int64) []vault.Company {
		var out []vault.Company
		for _, id := range ids {
			out = append(out, vault.Company{ID: id, Name: fmt.Sprintf("Company %d", id)})
		}
		return out
	}
	for _, c := range []struct {
		rec  vault.Recovery
		want string
	}{
		{vault.Recovery{Companies: 200, SavedAt: saved, Aside: "/x/state.json.corrupt-1"},
			"Recovered 200 companies from the copy saved on 3 Dec 2026 at 14:02; the damaged file was kept as /x/state.json.corrupt-1."},
		{vault.Recovery{Companies: 1, SavedAt: saved},
			"Recovered 1 company from the copy saved on 3 Dec 2026 at 14:02; the list itself had gone missing."},
		{vault.Recovery{Companies: 3, SavedAt: saved, Aside: "/a", Reconnect: named(7)},
			"Recovered 3 companies from the copy saved on 3 Dec 2026 at 14:02 (Company 7 (7) needs reconnecting: the keychain no longer holds its connection); the damaged file was kept as /a."},
		{vault.Recovery{Companies: 5, SavedAt: saved, Later: 2, Aside: "/a"},
			"Recovered 3 companies from the copy saved on 3 Dec 2026 at 14:02 and 2 more from the damaged file; the damaged file was kept as /a."},
		{vault.Recovery{Companies: 12, Aside: "/a", Reconnect: named(4)},
			"Recovered 12 companies from what could still be read of the damaged list (Company 4 (4) needs reconnecting: the keychain no longer holds its connection); it was kept as /a, and any company not in the list now needs connecting again."},
		{vault.Recovery{Companies: 9, SavedAt: saved, Aside: "/a", Reconnect: named(1, 2, 3, 4, 5)},
			"Recovered 9 companies from the copy saved on 3 Dec 2026 at 14:02 (Company 1 (1), Company 2 (2), Company 3 (3) and 2 more need reconnecting: the keychain no longer holds their connections); the damaged file was kept as /a."},
	} {
		if got := recoveredSentence(c.rec); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}

// TestSitesShown: both faces' lists say the sites the same way, "18 of 20 sites" when some are
// out of sight.
func TestSitesShown(t *testing.T) {
	total := func(n int) *int { return &n }
	sites := func(n int) []Site { return make([]Site, n) }
	cases := []struct {
		cs   CompanyStatus
		want string
	}{
		{CompanyStatus{Sites: sites(3)}, "3 sites"},
		{CompanyStatus{Sites: sites(1), SitesTotal: total(1)}, "1 site"},
		{CompanyStatus{Sites: sites(18), SitesTotal: total(20)}, "18 of 20 sites"},
		{CompanyStatus{SitesTotal: total(1)}, "0 of 1 site"},
		{CompanyStatus{Sites: sites(4), SitesTotal: total(2)}, "4 sites"},
	}
	for _, c := range cases {
		if got := c.cs.SitesShown(); got != c.want {
			t.Errorf("%d of %v: %q, want %q", len(c.cs.Sites), c.cs.SitesTotal, got, c.want)
		}
	}
}

// TestFormatRuleIsTheRuleApplied: the sentence the command line's help gives is built from the
// endings FormatFor reads, every ending it names picks its format, and WithFormat swaps
// endings by the same table.
func TestFormatRuleIsTheRuleApplied(t *testing.T) {
	rule := FormatRule()
	if want := "env for a name ending in .env, k8s-secret for a name ending in .yaml or .yml, else json"; rule != want {
		t.Errorf("rule %q, want %q", rule, want)
	}
	for _, clause := range strings.Split(rule, ", ") {
		name, endings, ok := strings.Cut(clause, " for a name ending in ")
		if !ok {
			continue
		}
		want, err := ParseFormat(name)
		if err != nil {
			t.Fatalf("the rule names %q, which is no format: %v", name, err)
		}
		for _, ending := range strings.Split(endings, " or ") {
			if got := FormatFor("tokens" + ending); got != want {
				t.Errorf("the rule says %s for %s, FormatFor says %s", want, ending, got)
			}
		}
	}
	for _, c := range []struct {
		path string
		f    Format
		want string
	}{
		{"/h/lightspeed-connect-export.json", FormatDotenv, "/h/lightspeed-connect-export.env"},
		{"/h/prod.env", FormatK8sSecret, "/h/prod.yaml"},
		{"/h/secret.YML", FormatJSON, "/h/secret.json"},
		{"/h/PROD.ENV", FormatJSON, "/h/PROD.json"},
		{"/h/tokens", FormatDotenv, "/h/tokens"},         // no ending to swap: the person's name stays
		{"/h/tokens.txt", FormatDotenv, "/h/tokens.txt"}, // nor one that asks for no format
		{"/h/tokens.json", FormatJSON, "/h/tokens.json"},
	} {
		if got := WithFormat(c.path, c.f); got != c.want {
			t.Errorf("WithFormat(%q, %s) = %q, want %q", c.path, c.f, got, c.want)
		}
	}
	if got := ExportFileName(FormatK8sSecret); got != "lightspeed-connect-export.yaml" {
		t.Errorf("export file name %q", got)
	}
}

// TestEventSentences: one sentence per event, whichever face says it.
func TestEventSentences(t *testing.T) {
	at := time.Date(2026, 12, 4, 15, 30, 5, 0, time.FixedZone("AEST", 10*3600))
	refreshed := &UnsavedError{kind: unsavedRefresh, company: vault.Company{ID: 7050, Name: "Harbour Burgers"}}
	lookUp := &UnsavedError{kind: unsavedLookUp}
	cases := []struct{ got, want string }{
		{DisconnectWarning("Harbour Burgers"), "Disconnecting deletes Harbour Burgers' tokens from this computer's keychain. A refresh token can't be recovered: to use Harbour Burgers again, connect it again in Lightspeed."},
		{DisconnectManyWarning(1), "Disconnecting deletes 1 company's tokens from this computer's keychain. A refresh token can't be recovered: to use it again, connect it again in Lightspeed."},
		{DisconnectManyWarning(3), "Disconnecting deletes the tokens of 3 companies from this computer's keychain. A refresh token can't be recovered: to use them again, connect them again in Lightspeed."},
		{Disconnected("Bondi Bean Co. (7051)"), "Disconnected Bondi Bean Co. (7051). Its tokens were deleted from this computer's keychain; to use it again, connect it again in Lightspeed."},
		{refreshed.StoredAfterRetry(), "The renewed connection to Harbour Burgers is now stored in this computer's keychain."},
		{lookUp.StoredAfterRetry(), "The connection to the approved company is now stored in this computer's keychain."},
		{refreshed.RescueFileName(at), "lightspeed-connect-rescue-7050-20261204-053005.json"},
		{lookUp.RescueFileName(at), "lightspeed-connect-rescue-20261204-053005.json"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q\nwant %q", c.got, c.want)
		}
	}
	title, body := CompanyStatus{Name: "Harbour Burgers", Detail: "Lightspeed no longer accepts this connection."}.Alert()
	if title != "Harbour Burgers needs reconnecting" || body != "Lightspeed no longer accepts this connection." {
		t.Errorf("alert %q, %q", title, body)
	}
}
