package practice

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
)

// token serves POST /v1/token.json: the authorization_code and refresh_token grants.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if s.begin(w, r, &s.tokenReqs, &s.tokenFaults) {
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint accepts POST only.")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request body is not a form.")
		return
	}
	clientID, ok := s.authenticateClient(r)
	if !ok {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		s.exchangeCode(w, r, clientID)
	case "refresh_token":
		s.refreshGrant(w, r, clientID)
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The grant_type parameter is missing.")
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "The grant_type is not supported.")
	}
}

// authenticateClient accepts the client credentials in the form body or as HTTP Basic.
func (s *Server) authenticateClient(r *http.Request) (string, bool) {
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	okID := subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) == 1
	okSecret := subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) == 1
	return id, okID && okSecret
}

func (s *Server) exchangeCode(w http.ResponseWriter, r *http.Request, clientID string) {
	code := r.PostForm.Get("code")
	if code == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The code parameter is missing.")
		return
	}
	companyID, errCode, desc := s.redeemCode(code, clientID, r.PostForm.Get("redirect_uri"), r.PostForm.Get("code_verifier"))
	if errCode != "" {
		writeOAuthError(w, http.StatusBadRequest, errCode, desc)
		return
	}
	ts, err := s.issueForCode(clientID, companyID)
	if err != nil {
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "Could not issue tokens.")
		return
	}
	writeTokens(w, ts)
}

func (s *Server) refreshGrant(w http.ResponseWriter, r *http.Request, clientID string) {
	rt := r.PostForm.Get("refresh_token")
	if rt == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The refresh_token parameter is missing.")
		return
	}
	ts, errCode, desc, err := s.useRefresh(rt, clientID)
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
