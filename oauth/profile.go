package oauth

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// Profile names a provider's endpoints. Every field may be overridden, which is how the
// practice server and the tests point the flow at a loopback address.
type Profile struct {
	// Name is what people read, for example in "Couldn't reach Lightspeed".
	Name string
	// AuthorizeURL is the consent page the browser opens.
	AuthorizeURL string
	// TokenURL receives the code exchange and the refresh requests. It may hold the
	// placeholder {ConsentParam} (for X-Series "https://{domain_prefix}.retail.lightspeed.app/
	// api/1.0/token"): the value the consent answer carries is filled in, once checked to be a
	// single DNS label, before anything is sent there.
	TokenURL string
	// APIURL is the base of the provider's API; this package only carries it. It may hold
	// placeholders of any name (the caller fills them).
	APIURL string
	// NoPKCE turns PKCE off. By default every authorization carries an S256 code challenge
	// and the exchange its verifier (RFC 7636): a server that doesn't know PKCE must ignore
	// the extra parameters (RFC 6749 §3.1, §3.2), so sending them is safe. Set it only for a
	// provider that refuses a request because of them.
	NoPKCE bool
	// Issuer is the authorization server's issuer identifier (RFC 8414), exactly as the server
	// states it, for example "https://my.kounta.com". An authorization response that carries
	// iss (RFC 9207) is used only when iss equals it, character for character (RFC 9207 §2.4).
	// Empty (the default, and Lightspeed's, which sends no iss) means the exact identifier
	// isn't known: an iss is then accepted only when it is an https address (http only on
	// this computer) whose scheme, host and port are AuthorizeURL's, the server the person was
	// sent to; so an answer naming any other server is still refused. An answer without iss is
	// accepted either way.
	Issuer string
	// BasicAuth sends the client ID and secret as HTTP Basic credentials in the Authorization
	// header at the token address (RFC 6749 §2.3.1; K-Series), the other parameters staying in
	// the form body. False (the default, O-, X- and R-Series): both go in the form body.
	BasicAuth bool
	// Scopes are sent as the consent address's scope parameter, joined with spaces (RFC 6749
	// §3.3). Nil (O-Series) sends no scope parameter at all.
	Scopes []string
	// ConsentParam names a parameter that the consent answer carries beside code and state and
	// that TokenURL needs: "domain_prefix" for X-Series, whose token address is the store's
	// own. When set, an answer must carry exactly one such value, a DNS label; a token reply
	// that names another value under the same key is refused; and Result.ConsentValue returns
	// it for the caller to keep (a refresh needs it again, in RefreshConfig.ConsentValue). The
	// sentences call the thing it names a store. Empty: no such parameter.
	ConsentParam string
	// RedirectHTTPSOnly is set for a provider that accepts only https Redirect URIs
	// (K-Series): the app can't catch such an answer itself, so the person pastes the address
	// the browser ends on, and an https address on this computer is accepted for that too. A
	// plain http Redirect URI is refused before anything opens, since the provider would
	// refuse it. Leave it unset for a practice server, which plays the provider on loopback.
	RedirectHTTPSOnly bool
}

// Lightspeed endpoints in production.
const (
	lightspeedAuthorizeURL = "https://my.kounta.com/authorize"
	lightspeedTokenURL     = "https://api.kounta.com/v1/token.json"
	lightspeedAPIURL       = "https://api.kounta.com/v1/"
)

// Lightspeed returns the production profile of Lightspeed O-Series (Kounta), with PKCE on.
func Lightspeed() Profile {
	return Profile{
		Name:         "Lightspeed",
		AuthorizeURL: lightspeedAuthorizeURL,
		TokenURL:     lightspeedTokenURL,
		APIURL:       lightspeedAPIURL,
	}
}

// Validate reports, in a plain sentence, the first endpoint that is not an absolute https
// address (plain http only to this computer: 127.0.0.0/8, [::1] or localhost, where a practice
// server runs). An empty APIURL is allowed because the OAuth flow does not need it. TokenURL
// may hold {ConsentParam} and APIURL any placeholder; each is checked with a label in its
// place. A placeholder the flow can't fill is refused.
func (p Profile) Validate() error {
	checks := []struct {
		label, value string
		optional     bool
		fillable     func(name string) bool
	}{
		{"sign-in address (AuthorizeURL)", p.AuthorizeURL, false, func(string) bool { return false }},
		{"token address (TokenURL)", p.TokenURL, false, func(name string) bool { return name != "" && name == p.ConsentParam }},
		{"API address (APIURL)", p.APIURL, true, func(string) bool { return true }},
	}
	if p.ConsentParam != "" && !isLabelName(p.ConsentParam) {
		return problem.New(problem.KindUsage, "The provider's consent parameter isn't a plain name.", nil).
			WithDetail("profile %q: ConsentParam %q", p.Name, safeText(p.ConsentParam, 64))
	}
	for _, c := range checks {
		if c.optional && c.value == "" {
			continue
		}
		reason := placeholderProblem(c.value, c.fillable)
		if reason == "" {
			reason = endpointProblem(fillPlaceholders(c.value, sampleLabel))
		}
		if reason != "" {
			return problem.New(problem.KindUsage,
				fmt.Sprintf("The provider's %s %s.", c.label, reason), nil).
				WithDetail("profile %q: %s is not usable", p.Name, c.label)
		}
	}
	return nil
}

// endpointProblem returns why raw cannot be an endpoint, or "" when it can.
func endpointProblem(raw string) string {
	if raw == "" {
		return "is empty; enter an address such as https://api.kounta.com/v1/token.json"
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "isn't a web address"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must start with https:// (or http:// for a practice server on this computer)"
	case u.Host == "" || u.Hostname() == "":
		return "needs a host name, such as api.kounta.com"
	case u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
		return "must start with https://; plain http:// is only for a practice server on this computer"
	case u.User != nil:
		return "must not contain a name or password before the host"
	case u.Fragment != "" || u.RawFragment != "":
		return "must not contain a # part"
	}
	return ""
}

// isLoopbackHost reports whether host (without brackets or port) names this computer: any
// 127.0.0.0/8 or ::1 address, or localhost. Only there may secrets travel over plain http.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Zone() == "" && addr.Unmap().IsLoopback()
}

// acceptsIssuer reports whether an authorization response's iss parameter (its values, none
// when absent) may be used; see Issuer. A repeated or empty iss is never accepted.
func (p Profile) acceptsIssuer(values []string) bool {
	switch {
	case len(values) == 0:
		return true
	case len(values) > 1 || values[0] == "":
		return false
	case p.Issuer != "":
		return values[0] == p.Issuer
	}
	iss, err := url.Parse(values[0])
	if err != nil || iss.Opaque != "" || iss.User != nil || iss.RawQuery != "" || iss.ForceQuery || iss.Fragment != "" {
		return false
	}
	if iss.Scheme != "https" && (iss.Scheme != "http" || !isLoopbackHost(iss.Hostname())) {
		return false
	}
	authorize, err := url.Parse(p.AuthorizeURL)
	return err == nil && sameOrigin(iss, authorize)
}

// sameOrigin reports whether a and b name the same scheme, host and port, a port left out
// counting as the scheme's default (https://x/ and https://x:443/ are one origin). Hosts
// compare without regard to case, and IP addresses by value.
func sameOrigin(a, b *url.URL) bool {
	if !strings.EqualFold(a.Scheme, b.Scheme) || a.Host == "" || b.Host == "" {
		return false
	}
	pa, oka := effectivePort(a)
	pb, okb := effectivePort(b)
	if !oka || !okb || pa != pb {
		return false
	}
	ha, hb := a.Hostname(), b.Hostname()
	if ia, err := netip.ParseAddr(ha); err == nil {
		ib, err := netip.ParseAddr(hb)
		return err == nil && ia == ib
	}
	return strings.EqualFold(ha, hb)
}

// effectivePort is u's port, or its scheme's default when none is written.
func effectivePort(u *url.URL) (int, bool) {
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		return n, err == nil && n > 0 && n <= 65535
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return 80, true
	case "https":
		return 443, true
	}
	return 0, false
}
