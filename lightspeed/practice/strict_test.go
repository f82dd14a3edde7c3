package practice

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMeShape(t *testing.T) {
	s := startServer(t, Config{HiddenSites: 1})
	c := s.Companies()[0]
	tok, _ := s.Grant(c.ID)
	_, resp := apiGet(t, s, tok.AccessToken, "companies/me.json", "")
	var me struct {
		ID       int64
		Name     string
		Sites    *struct{ Count int } `json:"sites"`
		Timezone *struct {
			Offset string
			Name   string
		}
		Registers *struct {
			Count int
			Limit int
		}
		Currency       string
		BusinessNumber *string `json:"business_number"`
		Website        *string
		Addresses      json.RawMessage
	}
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil {
		t.Fatal(err)
	}
	if me.ID != c.ID || me.Sites == nil || me.Sites.Count != len(c.Sites) || me.Timezone == nil || me.Timezone.Name == "" ||
		me.Timezone.Offset == "" || me.Registers == nil || me.Registers.Limit < me.Registers.Count || me.Currency != "AUD" ||
		me.BusinessNumber == nil || me.Website == nil || len(me.Addresses) == 0 {
		t.Fatalf("companies/me.json lacks a field Lightspeed sends: %+v", me)
	}
}

func TestSitesCarryCompanyAndNullCode(t *testing.T) {
	s := startServer(t, Config{})
	c := s.Companies()[0]
	tok, _ := s.Grant(c.ID)
	items, _ := sitesPage(t, s.Info().APIURL+"companies/"+strconv.FormatInt(c.ID, 10)+"/sites.json", tok.AccessToken, 0)
	nullCodes := 0
	for _, it := range items {
		if len(it) != 4 {
			t.Fatalf("a site is abridged to company_id, id, name and code; got %v", it)
		}
		if it["company_id"] != float64(c.ID) {
			t.Fatalf("company_id = %v", it["company_id"])
		}
		if code, present := it["code"]; !present {
			t.Fatal("code missing")
		} else if code == nil {
			nullCodes++
		}
	}
	if nullCodes == 0 {
		t.Fatal("no demo site has a null code")
	}
}

func TestHiddenSites(t *testing.T) {
	s := startServer(t, Config{Sites: 20, HiddenSites: 2})
	c := s.Companies()[0]
	tok, _ := s.Grant(c.ID)
	items, h := sitesPage(t, s.Info().APIURL+"companies/"+strconv.FormatInt(c.ID, 10)+"/sites.json", tok.AccessToken, 0)
	if len(items) != 18 || h.Get("X-Pages") != "1" {
		t.Fatalf("visible sites = %d (X-Pages %s), want 18", len(items), h.Get("X-Pages"))
	}
	_, resp := apiGet(t, s, tok.AccessToken, "companies/me.json", "")
	var me struct{ Sites struct{ Count int } }
	_ = json.NewDecoder(resp.Body).Decode(&me)
	if me.Sites.Count != 20 {
		t.Fatalf("sites.count = %d, want 20", me.Sites.Count)
	}
}

func TestTokenReplyShape(t *testing.T) {
	s := startServer(t, Config{})
	info := s.Info()
	code := consentCode(t, s, 0, "")
	resp, err := http.PostForm(info.TokenURL, exchangeForm(info, code, testRedirect, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if string(raw["token_type"]) != `"Bearer"` || string(raw["scope"]) != "null" || string(raw["expires_in"]) != "3600" {
		t.Fatalf("token_type %s, scope %s, expires_in %s", raw["token_type"], raw["scope"], raw["expires_in"])
	}
}

func TestRefusedAccessToken(t *testing.T) {
	for _, status := range []int{0, 400, 401} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			s := startServer(t, Config{ExpiredStatus: status})
			want := status
			if want == 0 {
				want = 401
			}
			tok, _ := s.Grant(s.Companies()[0].ID)
			check := func(token, wantErr string) {
				t.Helper()
				st, resp := apiGet(t, s, token, "companies/me.json", "")
				var body struct{ Error, ErrorDescription string }
				body.ErrorDescription = ""
				b, _ := io.ReadAll(resp.Body)
				_ = json.Unmarshal(b, &body)
				if st != want || body.Error != wantErr || !strings.Contains(string(b), "error_description") {
					t.Fatalf("HTTP %d %s, want %d %s", st, b, want, wantErr)
				}
			}
			check("made-up", "invalid_token")
			s.ExpireAccessTokens()
			check(tok.AccessToken, "expired_token")
		})
	}
	if _, err := New(Config{ExpiredStatus: 403}); err == nil {
		t.Fatal("ExpiredStatus 403 accepted")
	}
}

func TestRateLimit(t *testing.T) {
	for _, reply := range []RateLimitReply{RateLimitReset, RateLimitResetEpoch, RateLimitBare} {
		t.Run(reply.String(), func(t *testing.T) {
			clock := newClock()
			s := startServer(t, Config{RateLimit: 3, RateLimitReply: reply, Now: clock.Now})
			a, _ := s.Grant(s.Companies()[0].ID)
			b, _ := s.Grant(s.Companies()[1].ID)
			for i := range 3 {
				if st, _ := apiGet(t, s, a.AccessToken, "companies/me.json", ""); st != 200 {
					t.Fatalf("request %d: HTTP %d", i+1, st)
				}
			}
			clock.Advance(20 * time.Second)
			st, resp := apiGet(t, s, a.AccessToken, "companies/me.json", "")
			if st != 429 || resp.Header.Get("Retry-After") != "" {
				t.Fatalf("4th request in the minute: HTTP %d, Retry-After %q", st, resp.Header.Get("Retry-After"))
			}
			reset := resp.Header.Get("X-Ratelimit-Reset")
			switch reply {
			case RateLimitReset:
				if reset != "40" {
					t.Fatalf("X-Ratelimit-Reset = %q, want 40 seconds", reset)
				}
			case RateLimitResetEpoch:
				if reset != strconv.FormatInt(clock.Now().Add(40*time.Second).Unix(), 10) {
					t.Fatalf("X-Ratelimit-Reset = %q, want the epoch 40 s ahead", reset)
				}
			case RateLimitBare:
				if reset != "" {
					t.Fatalf("a bare 429 has X-Ratelimit-Reset %q", reset)
				}
			}
			if st, _ := apiGet(t, s, b.AccessToken, "companies/me.json", ""); st != 200 {
				t.Fatalf("another token is limited too: HTTP %d", st)
			}
			clock.Advance(40 * time.Second)
			if st, _ := apiGet(t, s, a.AccessToken, "companies/me.json", ""); st != 200 {
				t.Fatalf("after the window: HTTP %d", st)
			}
			if s.Stats().RateLimited != 1 {
				t.Fatalf("RateLimited = %d", s.Stats().RateLimited)
			}
		})
	}
}

func TestStrictRotation(t *testing.T) {
	s := startServer(t, Config{RotateRefresh: true, StrictRotation: true})
	info := s.Info()
	first := connect(t, s, 0)
	other := connect(t, s, 1)
	second := postToken(t, info, refreshForm(info, first.RefreshToken))
	if second.Status != 200 || second.RefreshToken == first.RefreshToken {
		t.Fatalf("refresh: HTTP %d %q", second.Status, second.Error)
	}
	third := postToken(t, info, refreshForm(info, second.RefreshToken))
	if third.Status != 200 {
		t.Fatalf("successor: HTTP %d %q", third.Status, third.Error)
	}
	// Reuse of a rotated-out token: refused, and the whole grant is revoked.
	if r := postToken(t, info, refreshForm(info, first.RefreshToken)); r.Status != 400 || r.Error != "invalid_grant" {
		t.Fatalf("reused token: HTTP %d %q", r.Status, r.Error)
	}
	if r := postToken(t, info, refreshForm(info, third.RefreshToken)); r.Error != "invalid_grant" {
		t.Fatalf("the newest token of a revoked grant still works: HTTP %d", r.Status)
	}
	if st, _ := apiGet(t, s, third.AccessToken, "companies/me.json", ""); st != 401 {
		t.Fatalf("an access token of a revoked grant still works: HTTP %d", st)
	}
	if s.Stats().ReuseDetected != 1 {
		t.Fatalf("ReuseDetected = %d", s.Stats().ReuseDetected)
	}
	// Another consent (another grant) is unaffected.
	if r := postToken(t, info, refreshForm(info, other.RefreshToken)); r.Status != 200 {
		t.Fatalf("another grant after reuse detection: HTTP %d %q", r.Status, r.Error)
	}
}

// TestStrictRotationOldRefusedAtOnce: unlike the grace mode, the old token is refused from
// the moment its successor is issued, before the successor is used.
func TestStrictRotationOldRefusedAtOnce(t *testing.T) {
	s := startServer(t, Config{RotateRefresh: true, StrictRotation: true})
	info := s.Info()
	first := connect(t, s, 0)
	if r := postToken(t, info, refreshForm(info, first.RefreshToken)); r.Status != 200 {
		t.Fatalf("refresh: HTTP %d", r.Status)
	}
	if r := postToken(t, info, refreshForm(info, first.RefreshToken)); r.Status != 400 {
		t.Fatalf("old token right after rotation: HTTP %d, want 400", r.Status)
	}
}

func pkcePair(seed string) (verifier, challenge string) {
	verifier = "v-" + strings.Repeat(seed, 60)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestPKCEEnforced(t *testing.T) {
	s := startServer(t, Config{})
	info := s.Info()
	verifier, challenge := pkcePair("a")
	other, _ := pkcePair("b")
	tests := []struct {
		name                string
		challenge, verifier string
		status              int
	}{
		{"matching", challenge, verifier, 200},
		{"no verifier", challenge, "", 400},
		{"another verifier", challenge, other, 400},
		{"the challenge as verifier", challenge, challenge, 400},
		{"short verifier", challenge, "short", 400},
		{"verifier without challenge (downgrade)", "", verifier, 400},
		{"neither", "", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := consentCode(t, s, 0, tt.challenge)
			r := postToken(t, info, exchangeForm(info, code, testRedirect, tt.verifier))
			if r.Status != tt.status {
				t.Fatalf("HTTP %d %q, want %d", r.Status, r.Description, tt.status)
			}
		})
	}
	// A challenge with a method other than S256 is refused at authorize.
	u := info.AuthCodeURL(testRedirect, "st", challenge)
	u = strings.Replace(u, "code_challenge_method=S256", "code_challenge_method=plain", 1)
	_, _, h := getPageT(t, u)
	loc, _ := url.Parse(h.Get("Location"))
	if loc == nil || loc.Query().Get("error") != "invalid_request" {
		t.Fatalf("plain PKCE method: redirected to %q", h.Get("Location"))
	}
}

func TestIssuerOnCallback(t *testing.T) {
	for _, send := range []bool{false, true} {
		s := startServer(t, Config{SendIssuer: send})
		info := s.Info()
		if info.Issuer != s.URL() {
			t.Fatalf("Info.Issuer = %q, want %q", info.Issuer, s.URL())
		}
		loc, err := Consent(testCtx(t), nil, info.AuthCodeURL(testRedirect, "st", ""), 0, true)
		if err != nil {
			t.Fatal(err)
		}
		deny, err := Consent(testCtx(t), nil, info.AuthCodeURL(testRedirect, "st", ""), 0, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range []string{loc, deny} {
			u, _ := url.Parse(l)
			if got := u.Query().Get("iss"); (got == info.Issuer) != send || (!send && u.Query().Has("iss")) {
				t.Fatalf("SendIssuer %v: callback %q", send, l)
			}
		}
	}
}

func TestParsePerMinute(t *testing.T) {
	good := map[string]int{"60/min": 60, " 180 / minute ": 180, "5/m": 5, "0/min": 0, "42": 42}
	for in, want := range good {
		if got, err := ParsePerMinute(in); err != nil || got != want {
			t.Errorf("ParsePerMinute(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x/min", "60/s", "-1/min", "60/hour", "1.5/min"} {
		if _, err := ParsePerMinute(in); err == nil {
			t.Errorf("ParsePerMinute(%q) accepted", in)
		}
	}
	for _, r := range []RateLimitReply{RateLimitReset, RateLimitResetEpoch, RateLimitBare} {
		if got, err := ParseRateLimitReply(r.String()); err != nil || got != r {
			t.Errorf("ParseRateLimitReply(%q) = %v, %v", r.String(), got, err)
		}
	}
	if _, err := ParseRateLimitReply("retry-after"); err == nil {
		t.Error("unknown rate-limit reply accepted")
	}
}

// TestSecretsRedacted plants secrets in every exported type that holds one and scans every
// verb and slog.
func TestSecretsRedacted(t *testing.T) {
	const secret = "PLANTED-SECRET-42"
	s := startServer(t, Config{ClientSecret: secret})
	values := []any{
		TokenSet{AccessToken: secret, RefreshToken: secret},
		Info{ClientSecret: secret},
		Config{ClientSecret: secret},
		s,
	}
	tok, _ := s.Grant(s.Companies()[0].ID)
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			out := fmt.Sprintf(verb, v)
			for _, sec := range []string{secret, tok.AccessToken, tok.RefreshToken} {
				if strings.Contains(out, sec) {
					t.Errorf("%s of %T shows a secret: %s", verb, v, out)
				}
			}
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", v)
		if strings.Contains(buf.String(), secret) || strings.Contains(buf.String(), tok.AccessToken) {
			t.Errorf("slog of %T shows a secret: %s", v, buf.String())
		}
	}
}

// FuzzStrictRotation drives strict rotation with any sequence of refreshes, each presenting
// one of the refresh tokens issued so far, and checks it against a model of RFC 9700's rule
// written separately: only a family's newest token works; presenting an older one of the
// family ends the family for good; other families are untouched. Every product plays it (the
// length of the sequence picks which).
func FuzzStrictRotation(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3})
	f.Add([]byte{0, 0})
	f.Add([]byte{0, 1, 0, 2, 1})
	f.Add([]byte{5, 6, 7, 1, 9, 2})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 64 {
			ops = ops[:64]
		}
		s, err := New(Config{RotateRefresh: true, StrictRotation: true, Product: Products[len(ops)%len(Products)]})
		if err != nil {
			t.Fatal(err)
		}
		// Two consents (families), as two companies connected.
		type model struct {
			newest string
			dead   bool
		}
		families := map[string]*model{} // refresh token → its family's model
		var issued []string
		for i := range 2 {
			ts, err := s.Grant(s.Companies()[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			families[ts.RefreshToken] = &model{newest: ts.RefreshToken}
			issued = append(issued, ts.RefreshToken)
		}
		for step, op := range ops {
			tok := issued[int(op)%len(issued)]
			fam := families[tok]
			wantOK := !fam.dead && fam.newest == tok
			ts, errCode, _, err := s.useRefresh(tok, s.cfg.ClientID, "")
			if err != nil {
				t.Fatal(err)
			}
			if gotOK := errCode == ""; gotOK != wantOK {
				t.Fatalf("step %d: refresh with token %d: ok %v, model says %v", step, int(op)%len(issued), gotOK, wantOK)
			}
			if wantOK {
				fam.newest = ts.RefreshToken
				families[ts.RefreshToken] = fam
				issued = append(issued, ts.RefreshToken)
			} else {
				fam.dead = true
			}
			// Every access token of a dead family is refused.
			for at, g := range s.access {
				if f := familyOf(s, g.family, families); f != nil && f.dead {
					if _, why := s.companyForAccess(at); why == "" {
						t.Fatalf("step %d: an access token of a revoked grant still works", step)
					}
				}
			}
		}
	})
}

// familyOf finds the model of the server's family id through any refresh token in it.
func familyOf[M any](s *Server, family int64, models map[string]*M) *M {
	for tok, g := range s.refresh {
		if g.family == family {
			return models[tok]
		}
	}
	return nil
}
