package practice

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"time"
)

// codeGrant is an authorization code waiting to be exchanged.
type codeGrant struct {
	clientID    string
	redirectURI string
	companyID   int64
	challenge   string // PKCE S256 challenge, "" when none was given
	expires     time.Time
	used        bool
}

// accessGrant is an issued access token.
type accessGrant struct {
	companyID int64
	expires   time.Time
	revoked   bool
}

// refreshGrant is an issued refresh token. Refresh tokens never expire.
//
// Rotation (Config.RotateRefresh) keeps a grace period: a token that has been refreshed
// (the parent) keeps working until one of the tokens issued from it (its children) is used.
// Then the parent and its other children stop working. This is kind to a client that
// crashed after the server answered but before it saved the new token.
type refreshGrant struct {
	clientID  string
	companyID int64
	parent    string
	children  []string
	retired   bool
}

// TokenSet is what the token endpoint returns on success.
type TokenSet struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// newCode stores a fresh authorization code for a granted consent.
func (s *Server) newCode(clientID, redirectURI string, companyID int64, challenge string) (string, error) {
	code, err := randomString(24)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = &codeGrant{
		clientID:    clientID,
		redirectURI: redirectURI,
		companyID:   companyID,
		challenge:   challenge,
		expires:     s.now().Add(s.cfg.CodeTTL),
	}
	return code, nil
}

// redeemCode checks and uses up a code; the returned string is an OAuth error code or "".
// A code is burnt by the first exchange attempt from its own client, even a failed one,
// so that a stolen code cannot be tried twice.
func (s *Server) redeemCode(code, clientID, redirectURI, verifier string) (int64, string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.codes[code]
	switch {
	case !ok || g.clientID != clientID:
		return 0, "invalid_grant", "The authorization code is unknown."
	case g.used:
		return 0, "invalid_grant", "The authorization code has already been used."
	}
	g.used = true
	switch {
	case !s.now().Before(g.expires):
		return 0, "invalid_grant", "The authorization code has expired."
	case g.redirectURI != redirectURI:
		return 0, "invalid_grant", "The redirect_uri does not match the one used to get the code."
	case g.challenge != "" && !pkceMatches(g.challenge, verifier):
		return 0, "invalid_grant", "The code_verifier does not match the code_challenge."
	}
	return g.companyID, "", ""
}

// pkceMatches checks an S256 PKCE verifier against its challenge.
func pkceMatches(challenge, verifier string) bool {
	if verifier == "" {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// issue makes a new access token and, when refreshToken is "", a new refresh token too.
// The caller holds s.mu.
func (s *Server) issueLocked(clientID string, companyID int64, refreshToken string) (TokenSet, error) {
	access, err := randomString(32)
	if err != nil {
		return TokenSet{}, err
	}
	if refreshToken == "" {
		if refreshToken, err = randomString(32); err != nil {
			return TokenSet{}, err
		}
		s.refresh[refreshToken] = &refreshGrant{clientID: clientID, companyID: companyID}
	}
	s.access[access] = &accessGrant{companyID: companyID, expires: s.now().Add(s.cfg.AccessTTL)}
	return TokenSet{
		AccessToken:  access,
		TokenType:    "bearer",
		ExpiresIn:    int64(s.cfg.AccessTTL / time.Second),
		RefreshToken: refreshToken,
	}, nil
}

// issueForCode issues the first token pair of a connection.
func (s *Server) issueForCode(clientID string, companyID int64) (TokenSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(clientID, companyID, "")
}

// useRefresh checks a refresh token and issues new tokens; errCode is an OAuth error or "".
func (s *Server) useRefresh(token, clientID string) (ts TokenSet, errCode, desc string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[token]
	if !ok || g.retired || g.clientID != clientID {
		return TokenSet{}, "invalid_grant", "The refresh token is invalid or has been revoked.", nil
	}
	s.retireParentLocked(token, g)
	if !s.cfg.RotateRefresh {
		ts, err = s.issueLocked(clientID, g.companyID, token)
		return ts, "", "", err
	}
	ts, err = s.issueLocked(clientID, g.companyID, "")
	if err != nil {
		return TokenSet{}, "", "", err
	}
	s.refresh[ts.RefreshToken].parent = token
	g.children = append(g.children, ts.RefreshToken)
	return ts, "", "", nil
}

// retireParentLocked ends the grace period of g's parent now that g has been used: the parent
// and g's unused siblings stop working.
func (s *Server) retireParentLocked(token string, g *refreshGrant) {
	if g.parent == "" {
		return
	}
	if p, ok := s.refresh[g.parent]; ok {
		p.retired = true
		for _, c := range p.children {
			if c != token {
				if sib, ok := s.refresh[c]; ok {
					sib.retired = true
				}
			}
		}
		p.children = nil
	}
	g.parent = ""
}

// companyForAccess returns the company an access token belongs to, if it still works.
func (s *Server) companyForAccess(token string) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.access[token]
	if !ok || g.revoked || !s.now().Before(g.expires) {
		return 0, false
	}
	return g.companyID, true
}

// Grant issues a token pair for a demo company without the browser, as if its consent had
// been granted and the code exchanged. It is a shortcut for tests and benchmarks.
func (s *Server) Grant(companyID int64) (TokenSet, error) {
	if _, ok := s.company(companyID); !ok {
		return TokenSet{}, errUnknownCompany
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(s.cfg.ClientID, companyID, "")
}

// RevokeRefreshTokens makes every refresh token of a company stop working (invalid_grant),
// as when its owner removes the integration in Lightspeed. Access tokens keep working until
// they expire; see RevokeAll to end those too.
func (s *Server) RevokeRefreshTokens(companyID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.refresh {
		if g.companyID == companyID {
			g.retired = true
		}
	}
}

// RevokeAll makes every access and refresh token of every company stop working.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.refresh {
		g.retired = true
	}
	for _, g := range s.access {
		g.revoked = true
	}
}

// ExpireAccessTokens makes every access token issued so far stop working (HTTP 401), as if
// an hour had passed, while refresh tokens keep working.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.access {
		g.revoked = true
	}
}

// IssuedSecrets returns every code, access token and refresh token the server has issued, for
// tests that scan what an app printed or stored: none of them may appear there.
func (s *Server) IssuedSecrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.codes)+len(s.access)+len(s.refresh))
	for _, m := range []map[string]bool{keys(s.codes), keys(s.access), keys(s.refresh)} {
		for k := range m {
			out = append(out, k)
		}
	}
	return out
}

func keys[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
