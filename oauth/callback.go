package oauth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"strings"
)

// maxQueryBytes bounds a callback's query; Lightspeed's answer is far smaller, and a larger one
// is someone else's request.
const maxQueryBytes = 8 << 10

// verdict is what a callback (caught or pasted) amounts to.
type verdict int

const (
	// verdictBadState: the state is missing, repeated or not this attempt's; ignore it.
	verdictBadState verdict = iota
	// verdictWrongIssuer: the state is right but iss names another server (RFC 9207), so
	// neither a code nor an error in it can be trusted; ignore it.
	verdictWrongIssuer
	// verdictNoCode: the state is right but there is neither a code nor an error.
	verdictNoCode
	// verdictDenied: the person declined (error=access_denied).
	verdictDenied
	// verdictProviderError: Lightspeed sent another OAuth error.
	verdictProviderError
	// verdictBadStore: the state and the code are right, but the store the profile needs
	// (ConsentParam) is missing, repeated or not a DNS label.
	verdictBadStore
	// verdictCode: the state is right and there is exactly one code (and, for a profile with
	// a ConsentParam, exactly one store that is a DNS label).
	verdictCode
)

// callback is a classified answer from Lightspeed.
type callback struct {
	verdict verdict
	code    string
	store   string // the ConsentParam's value, lower case; "" when the profile has none
	errCode string // sanitized, for Detail only (the iss received, for verdictWrongIssuer)
	errDesc string // sanitized, for Detail only (why the store is unusable, for verdictBadStore)
	missing bool   // verdictBadStore: no store at all
}

// classifyCallback decides what a callback's query means. Nothing counts without exactly one
// state equal to want, compared in constant time; so a forged or stale answer can neither
// deliver a code nor end the flow with an error. Nor does an answer whose iss the profile
// doesn't accept (RFC 9207 §2.4: the response is rejected, an error response included).
func classifyCallback(q url.Values, want string, p Profile) callback {
	states := q["state"]
	if want == "" || len(states) != 1 || subtle.ConstantTimeCompare([]byte(states[0]), []byte(want)) != 1 {
		return callback{verdict: verdictBadState}
	}
	if !p.acceptsIssuer(q["iss"]) {
		return callback{verdict: verdictWrongIssuer, errCode: safeText(strings.Join(q["iss"], ", "), 200)}
	}
	if errs := q["error"]; len(errs) > 0 {
		cb := callback{verdict: verdictProviderError, errCode: safeText(errs[0], 64), errDesc: safeText(q.Get("error_description"), 200)}
		if errs[0] == "access_denied" {
			cb.verdict = verdictDenied
		}
		return cb
	}
	codes := q["code"]
	if len(codes) != 1 || codes[0] == "" {
		return callback{verdict: verdictNoCode}
	}
	store, why, missing, ok := p.consentValue(q[p.ConsentParam])
	if !ok {
		return callback{verdict: verdictBadStore, errDesc: why, missing: missing}
	}
	return callback{verdict: verdictCode, code: codes[0], store: store}
}

// randomState returns 32 bytes from crypto/rand, base64url-encoded: the flow's CSRF guard.
func randomState() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails; it crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}
