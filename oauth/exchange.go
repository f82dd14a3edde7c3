package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// tokenContext carries the HTTP client to oauth2 and bounds the request, even when the
// caller's client has no timeout of its own.
func (c client) tokenContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.http)
	return context.WithTimeout(ctx, requestTimeout)
}

// exchange trades a code for tokens; it is called the moment a code arrives. store is the
// consent answer's ConsentParam value, already checked ("" when the profile has none): the
// code goes to that store's token address, and the reply must not name another store.
func (c client) exchange(ctx context.Context, conf *oauth2.Config, code, verifier, store string) (*Result, error) {
	ctx, cancel := c.tokenContext(ctx)
	defer cancel()
	var opts []oauth2.AuthCodeOption
	if verifier != "" {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	tok, err := withTokenURL(conf, c.profile, store).Exchange(ctx, code, opts...)
	if err != nil {
		return nil, mapTokenError(err, phaseConnect, c.profile.Name, c.now(), c.secret, code, verifier)
	}
	if err := c.profile.checkReplyStore(tok, store, phaseConnect); err != nil {
		return nil, err
	}
	res := toResult(tok, c.now())
	res.ConsentValue = store
	if res.RefreshToken == "" {
		return nil, problem.New(problem.KindBadReply, msgNoRefreshToken, errors.New("no refresh_token in the reply")).
			WithDetail("%s token request: the reply had no refresh_token", c.profile.Name)
	}
	return res, nil
}

// probeTimeout bounds the preflight when the caller's context has no deadline.
const probeTimeout = 10 * time.Second

// ProbeTokenEndpoint checks, before the browser opens, that the token endpoint answers at all:
// any HTTP status counts as reachable, and a redirect is not followed. It sends a HEAD request without credentials. A DNS
// failure, a refused connection or a timeout becomes KindNetwork naming the host. A token
// address that is per store (it holds a {placeholder}, as X-Series' does) is known only once
// the consent answer names the store: it is not probed, and the answer is nil.
func ProbeTokenEndpoint(ctx context.Context, tokenURL string, hc *http.Client) error {
	if placeholderPattern.MatchString(tokenURL) {
		return nil
	}
	if reason := endpointProblem(tokenURL); reason != "" {
		return problem.New(problem.KindUsage, "The provider's token address (TokenURL) "+reason+".", nil)
	}
	u, _ := url.Parse(tokenURL)
	if hc == nil {
		hc = &http.Client{Timeout: probeTimeout}
	}
	hc = noRedirects(hc) // any answer, a redirect included, shows the address is reachable
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, tokenURL, nil)
	if err != nil {
		return problem.New(problem.KindUsage, "The provider's token address (TokenURL) isn't a web address.", err)
	}
	resp, err := hc.Do(req)
	if err == nil {
		resp.Body.Close()
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return problem.New(problem.KindCanceled, msgCanceled, err)
	}
	return problem.New(problem.KindNetwork, fmt.Sprintf(msgProbeNetwork, u.Hostname()), err).
		WithDetail("preflight HEAD %s: %s", u.Host, safeText(unwrapURLError(err).Error(), 200))
}

// unwrapURLError drops *url.Error's method and URL, which the detail already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
