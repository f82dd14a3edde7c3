package practice

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Patterns for the practice server's own consent form; they do not need to parse any
// other HTML.
var (
	hiddenInputRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	optionRE      = regexp.MustCompile(`<option value="([^"]+)">`)
	formActionRE  = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
)

// Consent plays the person in the browser: it opens authURL (a full authorize address with
// its query), picks the demo company at companyIndex (0 is the first on the page), clicks
// Grant Access or Deny, and returns the address the browser would be sent to (the redirect
// URI with code and state, or with error=access_denied). It does not follow that redirect.
//
// A nil client uses a plain one. Tests and benchmarks use Consent to drive whole flows.
func Consent(ctx context.Context, client *http.Client, authURL string, companyIndex int, grant bool) (string, error) {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	page, err := getPage(ctx, &c, authURL)
	if err != nil {
		return "", err
	}
	form, action, err := parseConsent(page, companyIndex, grant)
	if err != nil {
		return "", err
	}
	base, err := url.Parse(authURL)
	if err != nil {
		return "", fmt.Errorf("could not read the authorize address: %w", err)
	}
	ref, err := url.Parse(action)
	if err != nil {
		return "", fmt.Errorf("could not read the consent form's address: %w", err)
	}
	return postConsent(ctx, &c, base.ResolveReference(ref).String(), form)
}

func getPage(ctx context.Context, c *http.Client, authURL string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", fmt.Errorf("could not make the consent page request: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("could not open the consent page: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("could not read the consent page: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", &PageError{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
	}
	return string(body), nil
}

// PageError is returned by Consent when the authorize page is not the consent form:
// an error page (for example HTTP 500 for an unregistered redirect URI) or a redirect
// straight back with an error.
type PageError struct {
	// Status is the HTTP status of the authorize page.
	Status int
	// Location is where the page redirected to, if it did.
	Location string
}

func (e *PageError) Error() string {
	return fmt.Sprintf("the authorize page answered HTTP %d instead of the consent form", e.Status)
}

// parseConsent fills in the consent form: hidden fields, the chosen company, the decision.
func parseConsent(page string, companyIndex int, grant bool) (url.Values, string, error) {
	m := formActionRE.FindStringSubmatch(page)
	if m == nil {
		return nil, "", errors.New("could not find the consent form on the page")
	}
	action := html.UnescapeString(m[1])
	form := url.Values{}
	for _, h := range hiddenInputRE.FindAllStringSubmatch(page, -1) {
		form.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	opts := optionRE.FindAllStringSubmatch(page, -1)
	if companyIndex < 0 || companyIndex >= len(opts) {
		return nil, "", fmt.Errorf("could not choose company %d: the page lists %d", companyIndex, len(opts))
	}
	form.Set("company_id", html.UnescapeString(opts[companyIndex][1]))
	form.Set("decision", "deny")
	if grant {
		form.Set("decision", "grant")
	}
	return form, action, nil
}

func postConsent(ctx context.Context, c *http.Client, action string, form url.Values) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("could not make the consent request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("could not send the consent: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		return "", &PageError{Status: resp.StatusCode, Location: loc}
	}
	return loc, nil
}
