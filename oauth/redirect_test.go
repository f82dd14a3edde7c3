package oauth

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

func TestLightspeedProfile(t *testing.T) {
	p := Lightspeed()
	if p.AuthorizeURL != "https://my.kounta.com/authorize" || p.TokenURL != "https://api.kounta.com/v1/token.json" || p.APIURL != "https://api.kounta.com/v1/" || p.NoPKCE {
		t.Fatalf("Lightspeed() = %+v", p)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestProfileValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Profile)
		bad  string // part of the sentence; "" when valid
	}{
		{"override ok", func(p *Profile) { p.TokenURL = "http://127.0.0.1:9/token" }, ""},
		{"no api ok", func(p *Profile) { p.APIURL = "" }, ""},
		{"empty authorize", func(p *Profile) { p.AuthorizeURL = "" }, "sign-in address"},
		{"relative token", func(p *Profile) { p.TokenURL = "/v1/token.json" }, "token address"},
		{"ftp api", func(p *Profile) { p.APIURL = "ftp://api.kounta.com/" }, "API address"},
		{"userinfo", func(p *Profile) { p.TokenURL = "https://u:p@api.kounta.com/t" }, "name or password"},
		{"garbage", func(p *Profile) { p.TokenURL = "http://[::1" }, "isn't a web address"},
		{"http token on the internet", func(p *Profile) { p.TokenURL = "http://api.kounta.com/v1/token.json" }, "token address (TokenURL) must start with https://"},
		{"http authorize on the internet", func(p *Profile) { p.AuthorizeURL = "http://my.kounta.com/authorize" }, "sign-in address (AuthorizeURL) must start with https://"},
		{"http api on the internet", func(p *Profile) { p.APIURL = "http://api.kounta.com/v1/" }, "API address (APIURL) must start with https://"},
		{"http to a LAN address", func(p *Profile) { p.TokenURL = "http://192.168.1.10:9/token" }, "must start with https://"},
		{"http to a name ending in localhost", func(p *Profile) { p.TokenURL = "http://localhost.example.com/token" }, "must start with https://"},
		{"http to localhost ok", func(p *Profile) { p.TokenURL = "http://localhost:9/token" }, ""},
		{"http to ::1 ok", func(p *Profile) { p.AuthorizeURL = "http://[::1]:9/authorize" }, ""},
		{"http to 127.0.0.2 ok", func(p *Profile) { p.TokenURL = "http://127.0.0.2:9/token" }, ""},
	}
	for _, tc := range cases {
		p := Lightspeed()
		tc.edit(&p)
		err := p.Validate()
		if (err != nil) != (tc.bad != "") || (err != nil && !strings.Contains(err.Error(), tc.bad)) {
			t.Errorf("%s: Validate() = %v, want mention of %q", tc.name, err, tc.bad)
		}
		if err != nil && !problem.Is(err, problem.KindUsage) {
			t.Errorf("%s: kind %q", tc.name, problem.KindOf(err))
		}
	}
}

func TestCheckRedirectURI(t *testing.T) {
	type want struct {
		catchable bool
		path      string
		listen    []string
		warning   string // part of the warning
		message   string // part of the message (non-catchable)
		err       string // part of the error sentence
	}
	cases := []struct {
		in string
		want
	}{
		{SuggestedRedirectURI, want{catchable: true, path: "/callback", listen: []string{"127.0.0.1:8765"}}},
		{"  http://127.0.0.1:8765/callback\n", want{catchable: true, path: "/callback", listen: []string{"127.0.0.1:8765"}}},
		{"http://localhost:8765/cb", want{catchable: true, path: "/cb", listen: []string{"127.0.0.1:8765", "[::1]:8765"}}},
		{"http://LOCALHOST:8765/cb", want{catchable: true, path: "/cb", listen: []string{"127.0.0.1:8765", "[::1]:8765"}}},
		{"http://[::1]:8765/callback", want{catchable: true, path: "/callback", listen: []string{"[::1]:8765"}}},
		{"http://127.0.0.1:8765", want{catchable: true, path: "/", listen: []string{"127.0.0.1:8765"}}},
		{"http://127.0.0.1:8765/", want{catchable: true, path: "/", listen: []string{"127.0.0.1:8765"}}},
		{"http://127.0.0.1:50000/callback", want{catchable: true, path: "/callback", listen: []string{"127.0.0.1:50000"}, warning: "Windows gives to programs at random"}},
		{"http://127.0.0.1:80/callback", want{catchable: true, path: "/callback", listen: []string{"127.0.0.1:80"}, warning: "administrator rights"}},
		{"https://example.com/oauth/callback", want{path: "/oauth/callback", message: "web address on the internet"}},
		{"https://my-shop.example.org/cb", want{path: "/cb", message: "paste the address"}},
		{"https://my-shop.example.org:8443/cb", want{path: "/cb", message: "paste the address"}},
		{"http://my-shop.example.org/cb", want{err: "must start with https://"}},
		{"HTTP://my-shop.example.org/cb", want{err: "must start with https://"}},
		{"http://10.0.0.5:8765/cb", want{err: "must start with https://"}},
		{"http://[2001:db8::1]:8765/cb", want{err: "must start with https://"}},
		{"https://127.0.0.1:8765/callback", want{err: "Use http:// here"}},
		{"https://localhost/callback", want{err: "Use http:// here"}},
		{"http://127.0.0.1/callback", want{err: "Add a port, for example http://127.0.0.1:8765/callback."}},
		{"http://localhost/callback", want{err: "Add a port"}},
		{"http://127.0.0.1:0/callback", want{err: "port from 1024 to 65535"}},
		{"http://127.0.0.1:70000/callback", want{err: "port from 1024 to 65535"}},
		{"http://127.0.0.2:8765/callback", want{err: "other loopback addresses"}},
		{"http://[::ffff:127.0.0.1]:8765/callback", want{err: "other loopback addresses"}},
		{"http://0.0.0.0:8765/callback", want{err: "instead of an \"any address\""}},
		{"", want{err: "Enter the Redirect URI"}},
		{"   ", want{err: "Enter the Redirect URI"}},
		{"not a url", want{err: "isn't a web address"}},
		{"127.0.0.1:8765/callback", want{err: ""}}, // parsed as scheme "127.0.0.1"? checked below
		{"http://", want{err: "Add a host"}},
		{"ftp://127.0.0.1:8765/callback", want{err: "must start with http:// or https://"}},
		{"myapp://callback", want{err: "must start with http:// or https://"}},
		{"http://user:pw@127.0.0.1:8765/callback", want{err: "Remove the name or password"}},
		{"http://127.0.0.1:8765/callback#x", want{err: "Remove the part from #"}},
		{"http://127.0.0.1:8765/callback?x=1", want{err: "Remove the part from ?"}},
		{"http://127.0.0.1:8765/a/../callback", want{err: "/../"}},
		{"http://127.0.0.1:abc/callback", want{err: "isn't a web address"}},
	}
	for _, tc := range cases {
		r, err := CheckRedirectURI(tc.in)
		if tc.in == "127.0.0.1:8765/callback" {
			if err == nil {
				t.Errorf("%q: accepted", tc.in)
			}
			continue
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(problem.Summary(err), tc.err) || !problem.Is(err, problem.KindRedirectURI) {
				t.Errorf("%q: err = %v, want kind redirect_uri mentioning %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: unexpected error %v", tc.in, err)
			continue
		}
		if r.catchable != tc.catchable || r.path != tc.path || strings.Join(r.ListenAddrs, ",") != strings.Join(tc.listen, ",") {
			t.Errorf("%q: got catchable=%v path=%q listen=%v", tc.in, r.catchable, r.path, r.ListenAddrs)
		}
		if !strings.Contains(r.Warning, tc.warning) || (tc.warning == "" && r.Warning != "") {
			t.Errorf("%q: warning %q, want %q", tc.in, r.Warning, tc.warning)
		}
		if !strings.Contains(r.Message, tc.message) || (tc.message == "" && r.Message != "") {
			t.Errorf("%q: message %q, want %q", tc.in, r.Message, tc.message)
		}
		if r.raw != strings.TrimSpace(tc.in) {
			t.Errorf("%q: Raw %q is not the trimmed input", tc.in, r.raw)
		}
	}
}

// FuzzCheckRedirectURI, with net/url and net/netip as oracles: never panics; anything accepted
// parses; a result that isn't caught is https; a catchable one is plain http on an exact
// loopback host with a port, listening on loopback addresses only.
func FuzzCheckRedirectURI(f *testing.F) {
	for _, s := range []string{SuggestedRedirectURI, "http://localhost:1/", "http://[::1]:65535/x", "https://example.com/cb",
		"http://127.0.0.1:8765/a%2f..%2fb", "http://[::1%25lo]:80/", "HTTP://LOCALHOST:8765/CB", "http://127.1:8765/", "javascript:alert(1)", "http://127.0.0.1:8765?", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := CheckRedirectURI(raw)
		if err != nil {
			if !problem.Is(err, problem.KindRedirectURI) || problem.Summary(err) == "" {
				t.Fatalf("error without a plain sentence: %v", err)
			}
			return
		}
		u, perr := url.Parse(r.raw)
		if perr != nil {
			t.Fatalf("accepted %q, which net/url cannot parse: %v", r.raw, perr)
		}
		if !r.catchable {
			if len(r.ListenAddrs) != 0 || r.Message == "" {
				t.Fatalf("non-catchable result listens or says nothing: %+v", r)
			}
			if !strings.EqualFold(u.Scheme, "https") {
				t.Fatalf("non-catchable %q is not https: the approval would travel in the clear", r.raw)
			}
			return
		}
		if !strings.EqualFold(u.Scheme, "http") || u.Port() == "" || r.port < 1 || r.port > 65535 {
			t.Fatalf("catchable %q is not http with a port", r.raw)
		}
		if h := strings.ToLower(u.Hostname()); h != "127.0.0.1" && h != "::1" && h != "localhost" {
			t.Fatalf("catchable %q has host %q", r.raw, h)
		}
		for _, a := range r.ListenAddrs {
			ap, perr := netip.ParseAddrPort(a)
			if perr != nil || !ap.Addr().IsLoopback() || int(ap.Port()) != r.port {
				t.Fatalf("catchable %q listens on %q", r.raw, a)
			}
		}
	})
}
