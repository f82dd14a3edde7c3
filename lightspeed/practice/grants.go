package practice

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"slices"
	"strings"
	"time"
)

// codeGrant is an authorization code waiting to be exchanged.
type codeGrant struct {
	clientID    string
	redirectURI string // where the code was sent
	sentURI     bool   // whether the authorize request named redirectURI (R-Series may not)
	companyID   int64
	challenge   string   // PKCE S256 challenge, "" when none was given
	scopes      []string // what the person granted (K, X, R)
	expires     time.Time
	used        bool
}

// accessGrant is an issued access token.
type accessGrant struct {
	companyID int64
	family    int64 // the consent (code exchange or Grant) it descends from
	scopes    []string
	expires   time.Time
	revoked   bool
	expired   bool // made to expire early (ExpireAccessTokens)
}

// refreshGrant is an issued refresh token. Refresh tokens never expire, except K-Series ones
// granted without offline_access (after refreshTTLK).
//
// Rotation (Config.RotateRefresh) without StrictRotation keeps a grace period: a token that
// has been refreshed (the parent) keeps working until one of the tokens issued from it (its
// children) is used. Then the parent and its other children stop working. This is kind to a
// client that crashed after the server answered but before it saved the new token.
//
// With StrictRotation the parent is retired as soon as its child is issued (rotatedOut), and
// presenting a rotated-out token again revokes the whole family (RFC 9700 reuse detection).
type refreshGrant struct {
	clientID   string
	companyID  int64
	family     int64
	parent     string
	children   []string
	scopes     []string
	expires    time.Time // zero: never
	retired    bool
	rotatedOut bool
}

// refreshTTLK is how long a K-Series refresh token lasts without offline_access: V1's 14
// days (docs/providers.md). With offline_access it has no fixed expiry.
const refreshTTLK = 14 * 24 * time.Hour

// TokenSet is what the token endpoint returns on success. It prints redacted.
type TokenSet struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	// Scope is null from O-Series, as in its replies; the granted scopes, space-separated,
	// from the others.
	Scope *string `json:"scope"`
	// RefreshExpiresIn is K-Series' refresh_expires_in: seconds, 0 for an offline_access
	// token (no fixed expiry). Absent from the other products.
	RefreshExpiresIn *int64 `json:"refresh_expires_in,omitempty"`
	// Expires is X-Series' expires: the Unix time the access token ends.
	Expires int64 `json:"expires,omitempty"`
	// DomainPrefix is X-Series' domain_prefix: the store the tokens belong to.
	DomainPrefix string `json:"domain_prefix,omitempty"`
}

// newCode stores a fresh authorization code for a granted consent.
func (s *Server) newCode(a authRequest, companyID int64) (string, error) {
	code, err := randomString(24)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = &codeGrant{
		clientID:    a.clientID,
		redirectURI: a.redirectURI,
		sentURI:     a.sentURI,
		companyID:   companyID,
		challenge:   a.challenge,
		scopes:      a.scopes,
		expires:     s.now().Add(s.cfg.CodeTTL),
	}
	return code, nil
}

// redeemCode checks and uses up a code; the returned string is an OAuth error code or "".
// A code is burnt by the first exchange attempt from its own client, even a failed one,
// so that a stolen code cannot be tried twice. store is the X-Series store whose token
// address was asked ("" for the other products): a code works only at its own store's.
func (s *Server) redeemCode(code, clientID, redirectURI, verifier, store string) (*codeGrant, string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.codes[code]
	switch {
	case !ok || g.clientID != clientID || (store != "" && s.prefixOf(g.companyID) != store):
		return nil, "invalid_grant", "The authorization code is unknown."
	case g.used:
		return nil, "invalid_grant", "The authorization code has already been used."
	}
	g.used = true
	switch {
	case !s.now().Before(g.expires):
		return nil, "invalid_grant", "The authorization code has expired."
	case g.redirectURI != redirectURI && (g.sentURI || redirectURI != ""):
		// RFC 6749 section 4.1.3: the same redirect_uri as at authorization; R-Series may
		// leave it out of both, the code then going to the registered one.
		return nil, "invalid_grant", "The redirect_uri does not match the one used to get the code."
	case g.challenge != "" && !pkceMatches(g.challenge, verifier):
		return nil, "invalid_grant", "The code_verifier does not match the code_challenge."
	case g.challenge == "" && verifier != "":
		// RFC 9700 section 2.1.1: a verifier without a challenge is a PKCE downgrade.
		return nil, "invalid_grant", "A code_verifier was sent but no code_challenge was given at authorization."
	}
	return g, "", ""
}

// pkceMatches checks an S256 PKCE verifier (RFC 7636: 43 to 128 characters) against its
// challenge.
func pkceMatches(challenge, verifier string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// issueLocked makes a new access token and, when refreshToken is "", a new refresh token
// too, both in family (0: a new family, for a new consent) with scopes. The reply carries the
// product's own fields. The caller holds s.mu.
func (s *Server) issueLocked(clientID string, companyID int64, refreshToken string, family int64, scopes []string) (TokenSet, error) {
	access, err := randomString(32)
	if err != nil {
		return TokenSet{}, err
	}
	if family == 0 {
		s.nextFamily++
		family = s.nextFamily
	}
	if refreshToken == "" {
		if refreshToken, err = randomString(32); err != nil {
			return TokenSet{}, err
		}
		rg := &refreshGrant{clientID: clientID, companyID: companyID, family: family, scopes: scopes}
		if s.cfg.Product == KSeries && !slices.Contains(scopes, "offline_access") {
			rg.expires = s.now().Add(refreshTTLK)
		}
		s.refresh[refreshToken] = rg
	}
	expires := s.now().Add(s.cfg.AccessTTL)
	s.access[access] = &accessGrant{companyID: companyID, family: family, scopes: scopes, expires: expires}
	ts := TokenSet{
		AccessToken:  access,
		TokenType:    "Bearer",
		ExpiresIn:    int64(s.cfg.AccessTTL / time.Second),
		RefreshToken: refreshToken,
	}
	if s.cfg.Product == OSeries {
		return ts, nil
	}
	scope := strings.Join(scopes, " ")
	ts.Scope = &scope
	switch s.cfg.Product {
	case KSeries:
		var left int64
		if rg := s.refresh[refreshToken]; !rg.expires.IsZero() {
			left = int64(rg.expires.Sub(s.now()) / time.Second)
		}
		ts.RefreshExpiresIn = &left
	case XSeries:
		ts.Expires = expires.Unix()
		ts.DomainPrefix = s.prefixOf(companyID)
	}
	return ts, nil
}

// prefixOf is the X-Series domain_prefix of a demo company, or "" for none.
func (s *Server) prefixOf(companyID int64) string {
	c, _ := s.company(companyID)
	return c.DomainPrefix
}

// issueForCode issues the first token pair of a connection.
func (s *Server) issueForCode(clientID string, g *codeGrant) (TokenSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(clientID, g.companyID, "", 0, g.scopes)
}

// useRefresh checks a refresh token and issues new tokens; errCode is an OAuth error or "".
// store is the X-Series store whose token address was asked ("" for the other products).
func (s *Server) useRefresh(token, clientID, store string) (ts TokenSet, errCode, desc string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[token]
	if !ok || g.clientID != clientID || (store != "" && s.prefixOf(g.companyID) != store) {
		return TokenSet{}, "invalid_grant", "The refresh token is invalid or has been revoked.", nil
	}
	if !g.expires.IsZero() && !s.now().Before(g.expires) {
		return TokenSet{}, "invalid_grant", "The refresh token has expired.", nil
	}
	if g.retired {
		if g.rotatedOut && s.reuseRevokes() {
			s.revokeFamilyLocked(g.family)
			s.reuses.Add(1)
			return TokenSet{}, "invalid_grant", "The refresh token was already used; the grant has been revoked.", nil
		}
		return TokenSet{}, "invalid_grant", "The refresh token is invalid or has been revoked.", nil
	}
	s.retireParentLocked(token, g)
	if !s.rotates() {
		ts, err = s.issueLocked(clientID, g.companyID, token, g.family, g.scopes)
		return ts, "", "", err
	}
	ts, err = s.issueLocked(clientID, g.companyID, "", g.family, g.scopes)
	if err != nil {
		return TokenSet{}, "", "", err
	}
	if s.singleUse() {
		g.retired, g.rotatedOut = true, true
		return ts, "", "", nil
	}
	s.refresh[ts.RefreshToken].parent = token
	g.children = append(g.children, ts.RefreshToken)
	return ts, "", "", nil
}

// rotates: every refresh issues a new refresh token. K-, X- and R-Series always do.
func (s *Server) rotates() bool { return s.cfg.RotateRefresh || s.cfg.Product != OSeries }

// singleUse: a rotated refresh token is refused from the moment its successor is issued (no
// grace period), as K-, X- and R-Series do and as StrictRotation asks of O-Series.
func (s *Server) singleUse() bool {
	return s.rotates() && (s.cfg.StrictRotation || s.cfg.Product != OSeries)
}

// reuseRevokes: presenting a rotated-out refresh token again revokes the whole grant (RFC 9700
// reuse detection, Config.StrictRotation).
func (s *Server) reuseRevokes() bool { return s.rotates() && s.cfg.StrictRotation }

// revokeFamilyLocked ends every refresh and access token descended from one consent.
func (s *Server) revokeFamilyLocked(family int64) {
	for _, r := range s.refresh {
		if r.family == family {
			r.retired = true
		}
	}
	for _, a := range s.access {
		if a.family == family {
			a.revoked = true
		}
	}
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

// companyForAccess returns the company an access token belongs to, or why it is refused:
// refusedInvalid (unknown or revoked) or refusedExpired.
func (s *Server) companyForAccess(token string) (int64, string) {
	g, why := s.accessFor(token)
	return g.companyID, why
}

// accessFor returns (a copy of) an access token's grant, or why it is refused.
func (s *Server) accessFor(token string) (accessGrant, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.access[token]
	switch {
	case !ok || g.revoked:
		return accessGrant{}, refusedInvalid
	case g.expired || !s.now().Before(g.expires):
		return accessGrant{}, refusedExpired
	}
	return *g, ""
}

// Grant issues a token pair for a demo company without the browser, as if its consent had
// been granted and the code exchanged. It is a shortcut for tests and benchmarks.
func (s *Server) Grant(companyID int64) (TokenSet, error) {
	if _, ok := s.company(companyID); !ok {
		return TokenSet{}, errUnknownCompany
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(s.cfg.ClientID, companyID, "", 0, splitScope(s.cfg.Product.DefaultScope()))
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

// ExpireAccessTokens makes every access token issued so far stop working (Config.ExpiredStatus
// with "expired_token"), as if an hour had passed, while refresh tokens keep working.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.access {
		g.expired = true
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
