package lightspeed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// companyJSON is the part of companies/me.json the client reads. Everything but id is
// optional: a field Lightspeed leaves out, or sends in another form, stays at its zero value
// rather than failing the call.
type companyJSON struct {
	ID             flexID     `json:"id"`
	Name           flexString `json:"name"`
	Currency       flexString `json:"currency"`
	BusinessNumber flexString `json:"business_number"`
	Website        flexString `json:"website"`
	Sites          struct {
		Count flexID `json:"count"`
	} `json:"sites"`
	Registers struct {
		Count flexID `json:"count"`
		Limit flexID `json:"limit"`
	} `json:"registers"`
	Timezone struct {
		Offset flexString `json:"offset"`
		Name   flexString `json:"name"`
	} `json:"timezone"`
}

func (r companyJSON) company() Company {
	return Company{
		ID: int64(r.ID), Name: string(r.Name),
		SitesCount:     int(r.Sites.Count),
		Registers:      Registers{Count: int(r.Registers.Count), Limit: int(r.Registers.Limit)},
		Timezone:       Timezone{Name: string(r.Timezone.Name), Offset: string(r.Timezone.Offset)},
		Currency:       string(r.Currency),
		BusinessNumber: string(r.BusinessNumber),
		Website:        string(r.Website),
	}
}

// siteJSON is one sites.json element: company_id, id, name and code (which may be null).
type siteJSON struct {
	CompanyID flexID     `json:"company_id"`
	ID        flexID     `json:"id"`
	Name      string     `json:"name"`
	Code      flexString `json:"code"`
}

// flexString reads a JSON string, number or null (as ""), so that an optional field sent in
// another form does not fail the call. Objects and arrays are still an error.
type flexString string

// UnmarshalJSON accepts "text", 10, true and null.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*f = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return &json.UnmarshalTypeError{Value: "object or array", Type: reflect.TypeFor[string]()}
	default:
		*f = flexString(b)
		return nil
	}
}

// flexID reads an ID given as a JSON number or as a string of digits, so that a change in
// how Lightspeed writes IDs does not break every health check.
type flexID int64

// UnmarshalJSON accepts 123 and "123"; null leaves the ID at zero.
func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 1 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("could not read an id: %w", err)
	}
	*f = flexID(n)
	return nil
}

// getJSON fetches rawURL with a bearer token and decodes the JSON reply into out. page >= 0
// is sent as the X-Page header. It asks for a refreshed token once after a refusal, and waits
// through 429 answers up to the cap.
func (c *Client) getJSON(ctx context.Context, rawURL string, page int, out any, info *CallInfo) (http.Header, error) {
	if c.Tokens == nil {
		return nil, errors.New("could not call Lightspeed: the client has no token source")
	}
	path := pathOf(rawURL)
	if err := checkScheme(rawURL); err != nil {
		return nil, err
	}
	// refreshed: a refused token was refreshed once already; refreshNow: the next token must
	// be a refreshed one. A 429 after the refresh retries with the refreshed token, never
	// asking for another refresh.
	refreshed, refreshNow, limited, prev := false, false, 0, ""
	for {
		token, err := c.Tokens.AccessToken(ctx, refreshNow)
		refreshNow = false
		if err != nil {
			return nil, fmt.Errorf("could not get an access token for Lightspeed: %w", err)
		}
		if prev != "" && c.product() == RSeries {
			c.buckets().carry(prev, token) // a refreshed token drains the same bucket
		}
		prev = token
		if err := c.pace(ctx, token, path, info); err != nil {
			return nil, err
		}
		if err := c.waitBucket(ctx, token, path, info); err != nil {
			return nil, err
		}
		resp, body, err := c.do(ctx, rawURL, page, token, info)
		if err != nil {
			return nil, err
		}
		c.observeBudget(token, resp.Header, info)
		switch code := resp.StatusCode; {
		case refusedToken(code, body) && !refreshed:
			refreshed, refreshNow, info.Refreshed = true, true, true
		case code == http.StatusTooManyRequests:
			limited++
			if err := c.waitRateLimit(ctx, resp.Header, limited, path, info); err != nil {
				return nil, err
			}
		case code >= 300 && code < 400:
			return nil, movedProblem(code, path, resp.Header.Get("Location"))
		case code >= 200 && code < 300:
			return resp.Header, decode(body, out, resp, path)
		default:
			return nil, statusProblem(c.words(), code, path, refreshed, body)
		}
	}
}

// refusedToken tells whether an answer refuses the access token: any 401, or a 400 whose
// OAuth-style body names invalid_token or expired_token (Lightspeed sends both).
func refusedToken(status int, body []byte) bool {
	switch status {
	case http.StatusUnauthorized:
		return true
	case http.StatusBadRequest:
		code := oauthErrorCode(body)
		return code == "invalid_token" || code == "expired_token"
	}
	return false
}

// oauthErrorCode is the "error" member of an OAuth-style JSON body, or "".
func oauthErrorCode(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Error) > 64 {
		return ""
	}
	for _, r := range e.Error { // an OAuth error code is a plain word; anything else is not shown
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && r != '_' {
			return ""
		}
	}
	return e.Error
}

// do sends one GET and reads the whole reply, under a default deadline when ctx has none.
// It never follows a redirect: a 3xx answer is returned as it is.
func (c *Client) do(ctx context.Context, rawURL string, page int, token string, info *CallInfo) (*http.Response, []byte, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout())
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("could not make a request to Lightspeed: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent())
	if page >= 0 {
		req.Header.Set("X-Page", strconv.Itoa(page))
	}
	hc := *c.httpClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	info.Requests++
	sent := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		info.Status = 0
		return nil, nil, transportProblem(ctx, err, pathOf(rawURL))
	}
	defer resp.Body.Close()
	info.Status, info.Latency, info.ReceivedAt = resp.StatusCode, time.Since(sent), c.now()
	info.ServerDate, _ = http.ParseTime(resp.Header.Get("Date"))
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, nil, transportProblem(ctx, err, pathOf(rawURL))
	}
	if len(body) > maxBody {
		return nil, nil, badReply(resp.StatusCode, pathOf(rawURL), "the reply is larger than 16 MB", nil)
	}
	return resp, body, nil
}

// checkScheme allows https anywhere and plain http only to a loopback address.
func checkScheme(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return problem.New(problem.KindProvider, sayBadAddress, err).WithFix(problem.Fix{Action: problem.ActionSetUp}).WithDetail("the API address is not a full address")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return problem.New(problem.KindProvider, sayPlainHTTP, nil).WithFix(problem.Fix{Action: problem.ActionSetUp}).WithDetail("http://%s: plain http is used only on this computer (loopback)", u.Host)
	}
	return problem.New(problem.KindProvider, sayBadAddress, nil).WithFix(problem.Fix{Action: problem.ActionSetUp}).WithDetail("the API address uses %q", u.Scheme)
}

// isLoopback tells whether host is this computer: localhost or a loopback IP.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// decode reads a JSON reply into out, turning anything else into KindBadReply.
func decode(body []byte, out any, resp *http.Response, path string) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badReply(resp.StatusCode, path, "the reply is empty", nil)
	}
	err := json.Unmarshal(body, out)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr):
		return badReply(resp.StatusCode, path, "the reply has the wrong shape", err)
	default:
		return badReply(resp.StatusCode, path, "the reply is not JSON (Content-Type "+contentType(resp)+")", err)
	}
}

func contentType(resp *http.Response) string {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return "none"
}

// pathOf returns the path of an address for detail lines: no host, no query.
func pathOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unreadable address)"
	}
	return u.EscapedPath()
}
