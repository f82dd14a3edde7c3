package practice

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// token serves the token endpoint (O-Series: POST /v1/token.json). A queued fault answers
// after the latency, as every fault does; otherwise the request is carried out at once and
// only its answer waits for the latency, as when a reply is slow to come back: a client that
// gives up while waiting has already spent its code or refresh token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.tokenReqs.Add(1)
	s.setDate(w)
	if f := s.nextFault(&s.tokenFaults); f != 0 && f != FaultNone {
		s.delay(r)
		s.serveFault(w, r, f)
		return
	}
	answer := &heldAnswer{header: http.Header{}, status: http.StatusOK}
	s.grantToken(answer, r)
	s.delay(r)
	for k, vs := range answer.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(answer.status)
	_, _ = w.Write(answer.body.Bytes())
}

// heldAnswer is an answer written in full and sent later.
type heldAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *heldAnswer) Header() http.Header         { return a.header }
func (a *heldAnswer) WriteHeader(status int)      { a.status = status }
func (a *heldAnswer) Write(b []byte) (int, error) { return a.body.Write(b) }

// grantToken carries out a token request: the authorization_code and refresh_token grants,
// with the product's own client authentication and reply.
func (s *Server) grantToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint accepts POST only.")
		return
	}
	store := ""
	if s.cfg.Product == XSeries {
		if store = r.PathValue("prefix"); !s.storeExists(store) {
			writeJSON(w, http.StatusNotFound, xError("Not Found", "No store has this domain prefix."))
			return
		}
		if s.overTokenLimitX(w, store) {
			return
		}
	}
	form, err := readTokenForm(r, s.cfg.Product == RSeries)
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request body is not a form.")
		return
	}
	clientID, status, code, desc := s.authenticateClient(r, form)
	if code != "" {
		if status == http.StatusUnauthorized && s.cfg.Product == KSeries {
			w.Header().Set("WWW-Authenticate", `Basic realm="k-series"`)
		}
		writeOAuthError(w, status, code, desc)
		return
	}
	switch form.Get("grant_type") {
	case "authorization_code":
		s.exchangeCode(w, form, clientID, store)
	case "refresh_token":
		s.refreshGrant(w, form, clientID, store)
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The grant_type parameter is missing.")
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "The grant_type is not supported.")
	}
}

// readTokenForm reads the token request's parameters from its body: a form, or for R-Series
// (whose clients send either) a JSON object of strings. Parameters in the address are not
// read: Lightspeed takes them from the body.
func readTokenForm(r *http.Request, jsonToo bool) (url.Values, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if jsonToo && ct == "application/json" {
		var m map[string]string
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m); err != nil {
			return nil, err
		}
		v := url.Values{}
		for k, x := range m {
			v.Set(k, x)
		}
		return v, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

// authenticateClient checks the client's credentials the way the product takes them, and
// returns the client ID, or an HTTP status with an OAuth error code and description:
//
//   - O-Series: in the form body or as HTTP Basic (the app's practice has always taken both);
//   - K-Series: HTTP Basic only; a secret in the body as well is two methods at once (RFC 6749
//     section 2.3), a secret in the body alone is refused;
//   - X- and R-Series: in the body only; HTTP Basic is refused, and so are credentials in the
//     address (X-Series has required the body since 2017).
func (s *Server) authenticateClient(r *http.Request, form url.Values) (string, int, string, string) {
	id, secret := form.Get("client_id"), form.Get("client_secret")
	u, p, basic := r.BasicAuth()
	switch s.cfg.Product {
	case OSeries:
		if basic {
			id, secret = u, p
		}
	case KSeries:
		switch {
		case !basic:
			return "", http.StatusUnauthorized, "invalid_client", "Client authentication must use HTTP Basic (client_id:client_secret in the Authorization header)."
		case secret != "":
			return "", http.StatusBadRequest, "invalid_request", "The client authenticated twice: in the Authorization header and in the body."
		case id != "" && id != u:
			return "", http.StatusBadRequest, "invalid_request", "The client_id in the body is not the one in the Authorization header."
		}
		id, secret = u, p
	default:
		q := r.URL.Query()
		switch {
		case q.Has("client_secret") || q.Has("client_id") || q.Has("refresh_token") || q.Has("code"):
			return "", http.StatusBadRequest, "invalid_request", "Parameters go in the request body, not the address."
		case r.Header.Get("Authorization") != "":
			return "", http.StatusUnauthorized, "invalid_client", "Send client_id and client_secret in the request body, not in the Authorization header."
		}
	}
	okID := subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) == 1
	okSecret := subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) == 1
	if !okID || !okSecret {
		return "", http.StatusUnauthorized, "invalid_client", "Client authentication failed."
	}
	return id, 0, "", ""
}

func (s *Server) exchangeCode(w http.ResponseWriter, form url.Values, clientID, store string) {
	code := form.Get("code")
	if code == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The code parameter is missing.")
		return
	}
	g, errCode, desc := s.redeemCode(code, clientID, form.Get("redirect_uri"), form.Get("code_verifier"), store)
	if errCode != "" {
		writeOAuthError(w, http.StatusBadRequest, errCode, desc)
		return
	}
	ts, err := s.issueForCode(clientID, g)
	if err != nil {
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "Could not issue tokens.")
		return
	}
	writeTokens(w, ts)
}

func (s *Server) refreshGrant(w http.ResponseWriter, form url.Values, clientID, store string) {
	rt := form.Get("refresh_token")
	if rt == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The refresh_token parameter is missing.")
		return
	}
	ts, errCode, desc, err := s.useRefresh(rt, clientID, store)
	switch {
	case err != nil:
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "Could not issue tokens.")
	case errCode != "":
		writeOAuthError(w, http.StatusBadRequest, errCode, desc)
	default:
		writeTokens(w, ts)
	}
}

func writeTokens(w http.ResponseWriter, ts TokenSet) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, ts)
}

// writeOAuthError writes an RFC 6749 error body.
func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// writeUnauthorized answers an API call whose access token is missing or not accepted.
func writeUnauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "The access token is missing, invalid or expired."})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
