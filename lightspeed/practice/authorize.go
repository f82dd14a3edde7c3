package practice

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// authRequest is the part of an authorize request that travels through the consent form.
type authRequest struct {
	clientID, redirectURI, state, responseType, challenge, method, scope string
	sentURI                                                              bool     // redirect_uri was in the request
	scopes                                                               []string // scope, split
}

func readAuthRequest(v url.Values) authRequest {
	return authRequest{
		clientID:     v.Get("client_id"),
		redirectURI:  v.Get("redirect_uri"),
		sentURI:      v.Get("redirect_uri") != "",
		state:        v.Get("state"),
		responseType: v.Get("response_type"),
		challenge:    v.Get("code_challenge"),
		method:       v.Get("code_challenge_method"),
		scope:        v.Get("scope"),
		scopes:       splitScope(v.Get("scope")),
	}
}

// checkClient answers with an error page and returns false when the request cannot be
// redirected back: an unknown client ID, or a redirect URI not registered exactly. An R-Series
// request without a redirect_uri goes to the first registered one, as there.
func (s *Server) checkClient(w http.ResponseWriter, a *authRequest) bool {
	if a.clientID == "" || a.clientID != s.cfg.ClientID {
		writeMessage(w, http.StatusBadRequest, "Unknown integration",
			"No integration has this client ID. Check the Client ID in the app against the practice integration's.")
		return false
	}
	if !a.sentURI && s.cfg.Product == RSeries {
		a.redirectURI = s.firstRedirect()
	}
	if !s.redirectRegistered(a.redirectURI) {
		hint := "the redirect_uri " + strconv.Quote(a.redirectURI) + " is not registered for this integration, so Lightspeed shows this error instead of redirecting."
		if s.cfg.Product == OSeries {
			writeHTML(w, http.StatusInternalServerError, serverErrorPage, hint)
		} else {
			writeMessage(w, http.StatusBadRequest, "Invalid parameter: redirect_uri", "Practice hint: "+hint)
		}
		return false
	}
	return true
}

// checkProtocol returns an OAuth error code for a request that can be redirected back
// with an error, or "" when it is fine. K- and R-Series require a scope; every scope asked
// must be one the integration may ask for (O-Series takes none and ignores it).
func (s *Server) checkProtocol(a authRequest) (string, string) {
	if a.responseType != "code" {
		return "unsupported_response_type", "Only response_type=code is supported."
	}
	if a.challenge != "" && a.method != "S256" {
		return "invalid_request", "Only code_challenge_method=S256 is supported."
	}
	p := s.cfg.Product
	if p == OSeries {
		return "", ""
	}
	if len(a.scopes) == 0 && (p == KSeries || p == RSeries) {
		return "invalid_request", "The scope parameter is required."
	}
	for _, sc := range a.scopes {
		if !slices.Contains(p.allowedScopes(), sc) {
			return "invalid_scope", "The integration may not ask for the scope " + strconv.Quote(sc) + "."
		}
	}
	return "", ""
}

// authorizeForm serves GET /authorize: the consent page.
func (s *Server) authorizeForm(w http.ResponseWriter, r *http.Request) {
	s.authReqs.Add(1)
	a := readAuthRequest(r.URL.Query())
	if !s.checkClient(w, &a) {
		return
	}
	if code, desc := s.checkProtocol(a); code != "" {
		s.redirectError(w, r, a, code, desc)
		return
	}
	writeHTML(w, http.StatusOK, consentTmpl, s.consentData(r, a))
}

// authorizeDecision serves POST /authorize: the Grant Access or Deny button.
func (s *Server) authorizeDecision(w http.ResponseWriter, r *http.Request) {
	s.authReqs.Add(1)
	if err := r.ParseForm(); err != nil {
		writeMessage(w, http.StatusBadRequest, "Something went wrong", "The form could not be read. Start connecting again from the app.")
		return
	}
	a := readAuthRequest(r.PostForm)
	if !s.checkClient(w, &a) {
		return
	}
	if code, desc := s.checkProtocol(a); code != "" {
		s.redirectError(w, r, a, code, desc)
		return
	}
	switch r.PostForm.Get("decision") {
	case "deny":
		s.redirectError(w, r, a, "access_denied", "The user denied access to the integration.")
	case "grant":
		s.grant(w, r, a)
	default:
		writeMessage(w, http.StatusBadRequest, "Something went wrong", "Click Grant Access or Deny.")
	}
}

func (s *Server) grant(w http.ResponseWriter, r *http.Request, a authRequest) {
	companyID, err := strconv.ParseInt(r.PostForm.Get("company_id"), 10, 64)
	c, ok := s.company(companyID)
	if err != nil || !ok {
		wd := s.cfg.Product.words()
		writeMessage(w, http.StatusBadRequest, "Choose a "+wd.business, "Go back and choose one of the "+wd.businesses+" in the list.")
		return
	}
	code, err := s.newCode(a, companyID)
	if err != nil {
		writeHTML(w, http.StatusInternalServerError, serverErrorPage, nil)
		return
	}
	params := url.Values{"code": {code}}
	if s.cfg.Product == XSeries {
		params.Set("domain_prefix", c.DomainPrefix)
	}
	s.redirect(w, r, a, params)
}

func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, a authRequest, code, desc string) {
	s.redirect(w, r, a, url.Values{"error": {code}, "error_description": {desc}})
}

// redirect sends the browser back to the registered redirect URI with params and the state.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, a authRequest, params url.Values) {
	u, err := url.Parse(a.redirectURI)
	if err != nil {
		writeHTML(w, http.StatusInternalServerError, serverErrorPage, "the registered redirect_uri is not a valid address.")
		return
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	if a.state != "" {
		q.Set("state", a.state)
	}
	if s.cfg.SendIssuer {
		q.Set("iss", issuerOf(r))
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// issuerOf is the server's issuer identifier (RFC 9207) as the request reached it: its base
// address, "http://127.0.0.1:PORT", the same as Info.Issuer.
func issuerOf(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
