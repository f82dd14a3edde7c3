package oauth

import (
	"net"
	"net/url"
	"strings"
	"testing"
)

// FuzzCallback, with net/url's query parser as the oracle: whatever is caught or pasted, no
// verdict but "bad state" comes without exactly one state equal to ours; no code or error is
// used when iss is present and isn't the expected issuer (exactly, when the profile names it;
// else the authorize endpoint's origin); a code is accepted only when it is the one code.
func FuzzCallback(f *testing.F) {
	const want = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXhxdXU"
	for _, s := range []string{"code=abc&state=" + want, "state=" + want, "error=access_denied&state=" + want, "code=a&state=" + want + "&state=" + want,
		"code=a&state=" + want[:len(want)-1], "state=%zz", "code=&state=" + want, ";;;&&&==", "state=" + want + "x&code=a",
		"code=a&state=" + want + "&iss=https%3A%2F%2Fas.example", "code=a&state=" + want + "&iss=https%3A%2F%2FAS.example%3A443%2F",
		"code=a&state=" + want + "&iss=https%3A%2F%2Fevil.example", "code=a&state=" + want + "&iss=", "code=a&state=" + want + "&iss=https%3A%2F%2Fas.example&iss=https%3A%2F%2Fas.example",
		"error=access_denied&state=" + want + "&iss=http%3A%2F%2Fas.example"} {
		f.Add(s)
		f.Add("http://127.0.0.1:8765/callback?" + s)
	}
	exact := Profile{AuthorizeURL: "https://as.example/authorize", Issuer: "https://as.example"}
	derived := Profile{AuthorizeURL: "https://as.example/authorize"}
	f.Fuzz(func(t *testing.T, raw string) {
		check := func(q url.Values, p Profile) {
			cb := classifyCallback(q, want, p)
			stateOK := len(q["state"]) == 1 && q["state"][0] == want
			if cb.verdict != verdictBadState && !stateOK {
				t.Fatalf("verdict %d without the exact state for %q", cb.verdict, raw)
			}
			if cb.verdict == verdictCode && (cb.code == "" || len(q["code"]) != 1 || q.Has("error")) {
				t.Fatalf("accepted code from %q", raw)
			}
			if cb.verdict != verdictCode && cb.code != "" {
				t.Fatal("a code escaped a refusal")
			}
			used := cb.verdict == verdictCode || cb.verdict == verdictDenied || cb.verdict == verdictProviderError
			if !used || !q.Has("iss") {
				return
			}
			iss := q["iss"]
			if len(iss) != 1 {
				t.Fatalf("used an answer with %d iss values: %q", len(iss), raw)
			}
			if p.Issuer != "" && iss[0] != p.Issuer {
				t.Fatalf("used an answer with iss %q, want exactly %q", iss[0], p.Issuer)
			}
			u, err := url.Parse(iss[0])
			if p.Issuer == "" && (err != nil || u.Scheme != "https" || !strings.EqualFold(u.Hostname(), "as.example") || (u.Port() != "" && strings.TrimLeft(u.Port(), "0") != "443") || u.RawQuery != "" || u.Fragment != "") {
				t.Fatalf("used an answer with iss %q, not https://as.example's origin", iss[0])
			}
		}
		if q, err := url.ParseQuery(raw); err == nil {
			check(q, exact)
			check(q, derived)
		}
		if i := strings.IndexByte(raw, '?'); i >= 0 {
			if q, err := url.ParseQuery(raw[i+1:]); err == nil {
				check(q, derived)
			}
		}
		if cb := classifyCallback(url.Values{"state": {raw}, "code": {"c"}}, "", derived); cb.verdict != verdictBadState {
			t.Fatal("an empty expected state accepted something")
		}
	})
}

// FuzzPastedAddress, with net/url as the oracle: a pasted address is taken only when its
// scheme, host, port (a default port written or not) and path are the Redirect URI's.
func FuzzPastedAddress(f *testing.F) {
	redirects := []string{"https://integration.example.com/oauth/callback", SuggestedRedirectURI, "http://localhost:8765/", "https://x.example/cb", "http://[::1]:9000/cb"}
	for _, s := range []string{"https://integration.example.com/oauth/callback?code=a&state=b", "https://integration.example.com:443/oauth/callback?code=a",
		"https://INTEGRATION.example.com/oauth/callback?code=a", "http://integration.example.com/oauth/callback?code=a", "https://integration.example.com:8443/oauth/callback?code=a",
		"https://integration.example.com/oauth/callback/?code=a", "https://evil.example/oauth/callback?code=a", "https://integration.example.com.evil.example/oauth/callback?code=a",
		"https://integration.example.com@evil.example/oauth/callback?code=a", "http://127.0.0.1:8765/callback?code=a", "http://127.0.0.1:08765/callback?code=a",
		"http://localhost:8765?code=a", "http://[::1]:9000/cb?code=a", "http://[0:0::1]:9000/cb?code=a", "https://x.example:/cb?code=a", "code=a&state=b", "/cb?code=a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, r := range redirects {
			redirect, err := CheckRedirectURI(r)
			if err != nil {
				t.Fatal(err)
			}
			landed, _, err := parsePasted(raw)
			if err != nil || !atRedirect(landed, redirect) {
				continue
			}
			s := strings.TrimSpace(raw)
			if i := strings.IndexByte(s, '#'); i >= 0 {
				s = s[:i]
			}
			got, err := url.Parse(s)
			wantURL, _ := url.Parse(r)
			if err != nil {
				t.Fatalf("accepted %q, which net/url can't parse", raw)
			}
			if got.Scheme != wantURL.Scheme || got.User != nil || !sameHost(got.Hostname(), wantURL.Hostname()) {
				t.Fatalf("accepted %q for %q: scheme, user or host differs", raw, r)
			}
			if portOr(got) != portOr(wantURL) {
				t.Fatalf("accepted %q for %q: port %q differs", raw, r, got.Port())
			}
			if p, w := orSlash(got.Path), orSlash(wantURL.Path); p != w {
				t.Fatalf("accepted %q for %q: path %q differs", raw, r, p)
			}
		}
	})
}

// sameHost compares host names without case, and IP addresses by their canonical form.
func sameHost(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	ia, ib := parseIP(a), parseIP(b)
	return ia != "" && ia == ib
}

// parseIP is the canonical form of an IP address per package net (not net/netip, which the
// code under test uses), or "".
func parseIP(s string) string {
	if ip := net.ParseIP(s); ip != nil {
		return ip.String()
	}
	return ""
}

// portOr is the written port without leading zeros, or the scheme's default.
func portOr(u *url.URL) string {
	p := strings.TrimLeft(u.Port(), "0")
	if p != "" {
		return p
	}
	return map[string]string{"http": "80", "https": "443"}[u.Scheme]
}

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
