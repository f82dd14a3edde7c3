package oauth

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"github.com/lightspeedconnect/lightspeed-connect/internal/dnslabel"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// A provider whose token address is per store (X-Series) names the store in its consent
// answer (Profile.ConsentParam, "domain_prefix"). That value comes from a browser's address
// bar, so it is checked to be one DNS label before any address is built from it: a value
// such as "evil.example/x?" could otherwise send the code and the client secret elsewhere.

// Sentences about the store a consent answer names.
const (
	msgStoreMissing      = "Lightspeed's answer didn't say which store approved access, so the app couldn't finish connecting. Connect again; if it keeps happening, copy the diagnostics and send them to support."
	msgStoreBad          = "Lightspeed's answer named the store in a form the app can't use, so nothing was sent. Connect again; if it keeps happening, copy the diagnostics and send them to support."
	msgPasteNoStore      = "This address doesn't say which store approved access. Copy the whole address the browser ends on once access is approved; if that is what you pasted, connect again."
	msgStoreMismatch     = "Lightspeed answered for a different store than the one that approved access, so the app didn't keep that answer. Connect again."
	msgStoreRefresh      = "Lightspeed answered this store's refresh for a different store, so the app didn't keep that answer. Reconnect the store."
	msgStoreUnknown      = "The app doesn't know which store this connection belongs to, so it can't refresh it. Reconnect the store."
	msgRedirectHTTPSOnly = "This Lightspeed product accepts only https:// Redirect URIs. Register an https:// address for the integration, for example " + SuggestedHTTPSRedirectURI + ", and enter it here; you will then paste the address your browser ends on."
	msgRedirectPaste     = "The app can't catch an https:// answer itself. You can still go on: you will paste the address your browser ends on."
)

// sampleLabel stands in for a placeholder's value when an address template is checked.
const sampleLabel = "store"

// placeholderPattern finds {name} in an address.
var placeholderPattern = regexp.MustCompile(`\{([^{}]*)\}`)

// placeholderProblem returns why an address's placeholders can't be filled, or "".
func placeholderProblem(address string, fillable func(name string) bool) string {
	if strings.Count(address, "{") != strings.Count(address, "}") {
		return "has an unmatched { or }"
	}
	for _, m := range placeholderPattern.FindAllStringSubmatch(address, -1) {
		if !fillable(m[1]) {
			return fmt.Sprintf("holds {%s}, which the app can't fill in", safeText(m[1], 64))
		}
	}
	return ""
}

// fillPlaceholders puts value in place of every {name} of address.
func fillPlaceholders(address, value string) string {
	return placeholderPattern.ReplaceAllLiteralString(address, value)
}

// isLabel reports whether s is one DNS label (see dnslabel).
func isLabel(s string) bool { return dnslabel.Valid(s) }

// isLabelName reports whether a parameter name is plain: letters, digits and underscores.
func isLabelName(s string) bool {
	return s != "" && len(s) <= 64 && strings.Trim(strings.ToLower(s), "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// consentValue reads the store a consent answer names: exactly one value, a DNS label,
// returned in lower case (host names know no case). ok is false, with the problem's detail,
// when the profile needs one and the answer has none or a bad one.
func (p Profile) consentValue(values []string) (value, detail string, missing, ok bool) {
	if p.ConsentParam == "" {
		return "", "", false, true
	}
	switch {
	case len(values) == 0 || values[0] == "":
		return "", fmt.Sprintf("the consent answer has no %s", p.ConsentParam), true, false
	case len(values) > 1:
		return "", fmt.Sprintf("the consent answer has %d values of %s", len(values), p.ConsentParam), false, false
	case !isLabel(values[0]):
		return "", fmt.Sprintf("the consent answer's %s %s is not a DNS label", p.ConsentParam, quoteDetail(safeText(values[0], 80))), false, false
	}
	return strings.ToLower(values[0]), "", false, true
}

// consentError is the problem for a consent answer whose store is missing or unusable.
func consentError(detail string, missing bool) error {
	msg := msgStoreBad
	if missing {
		msg = msgStoreMissing
	}
	return problem.New(problem.KindBadReply, msg, nil).WithDetail("%s", detail)
}

// refreshStore checks the store a refresh names (RefreshConfig.ConsentValue). It is required
// when TokenURL still holds {ConsentParam}; when the caller filled the address itself it is
// optional, and only checks the reply when given.
func (p Profile) refreshStore(value string) (string, error) {
	if p.ConsentParam == "" {
		return "", nil
	}
	needed := strings.Contains(p.TokenURL, "{"+p.ConsentParam+"}")
	switch {
	case value == "" && !needed:
		return "", nil
	case value == "":
		return "", problem.New(problem.KindUsage, msgStoreUnknown, nil).
			WithDetail("%s refresh: no %s stored for the connection", p.Name, p.ConsentParam)
	case !isLabel(value):
		return "", problem.New(problem.KindUsage, msgStoreUnknown, nil).
			WithDetail("%s refresh: the stored %s %s is not a DNS label", p.Name, p.ConsentParam, quoteDetail(safeText(value, 80)))
	}
	return strings.ToLower(value), nil
}

// tokenURLFor is the token address for the store value names (the profile's own when it
// has no ConsentParam).
func (p Profile) tokenURLFor(value string) string {
	if p.ConsentParam == "" {
		return p.TokenURL
	}
	return strings.ReplaceAll(p.TokenURL, "{"+p.ConsentParam+"}", value)
}

// withTokenURL is conf for the store value names: a copy, so the session's own is unchanged.
func withTokenURL(conf *oauth2.Config, p Profile, value string) *oauth2.Config {
	c := *conf
	c.Endpoint.TokenURL = p.tokenURLFor(value)
	return &c
}

// checkReplyStore refuses a token reply that names, under the profile's ConsentParam, a
// store other than want. A reply that names none is accepted: it came from want's own
// token address.
func (p Profile) checkReplyStore(tok *oauth2.Token, want string, ph phase) error {
	if p.ConsentParam == "" || want == "" {
		return nil
	}
	v := tok.Extra(p.ConsentParam)
	if v == nil {
		return nil
	}
	got, present := v.(string)
	if present && strings.EqualFold(got, want) {
		return nil
	}
	msg := msgStoreMismatch
	if ph == phaseRefresh {
		msg = msgStoreRefresh
	}
	shown := "a value that is not a name"
	if present && isLabel(got) {
		shown = quoteDetail(strings.ToLower(got))
	}
	return problem.New(problem.KindWrongCompany, msg, nil).
		WithDetail("%s token reply: %s is %s, but the store that approved access is %s", p.Name, p.ConsentParam, shown, quoteDetail(want))
}

// SuggestedHTTPSRedirectURI is the Redirect URI the app proposes where a product accepts only
// https (K-Series): an https address on this computer. Nothing answers there; the browser
// shows the address with the approval in it, and the person pastes it.
const SuggestedHTTPSRedirectURI = "https://127.0.0.1:8765/callback"

// CheckRedirectURI is the package's CheckRedirectURI under this profile's rules: for a
// provider that accepts only https (RedirectHTTPSOnly), a plain http Redirect URI is refused
// and an https one on this computer is accepted, not catchable: the person pastes the
// address the browser ends on (and the sentences suggest an https address). Other profiles
// check exactly as CheckRedirectURI.
func (p Profile) CheckRedirectURI(raw string) (RedirectURI, error) {
	if !p.RedirectHTTPSOnly {
		return CheckRedirectURI(raw)
	}
	r, err := checkHTTPSOnly(strings.TrimSpace(raw))
	if pe := problem.As(err); pe != nil {
		out := *pe
		out.Summary = strings.ReplaceAll(out.Summary, SuggestedRedirectURI, SuggestedHTTPSRedirectURI)
		return RedirectURI{}, &out
	}
	return r, err
}

// checkHTTPSOnly checks a Redirect URI for a provider that accepts only https.
func checkHTTPSOnly(raw string) (RedirectURI, error) {
	u, err := parseRedirect(raw)
	if err != nil {
		return RedirectURI{}, err
	}
	if u.Scheme != "https" {
		return RedirectURI{}, redirectError(msgRedirectHTTPSOnly)
	}
	host := strings.ToLower(u.Hostname())
	kind, err := classifyHost(host)
	if err != nil || kind == hostPublic {
		return CheckRedirectURI(raw)
	}
	// An https address on this computer: nothing catches it, but the browser still shows it.
	r := RedirectURI{raw: raw, host: host, HostPort: strings.ToLower(u.Host), path: u.Path, Message: msgRedirectPaste}
	r.port, _ = strconv.Atoi(u.Port())
	if r.path == "" {
		r.path = "/"
	}
	return r, nil
}
