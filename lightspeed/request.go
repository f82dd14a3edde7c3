package lightspeed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// companyJSON is the part of companies/me.json the client reads.
type companyJSON struct {
	ID   flexID `json:"id"`
	Name string `json:"name"`
}

// siteJSON is the part of one sites.json element the client reads.
type siteJSON struct {
	ID   flexID `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
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

// getJSON fetches rawURL with a bearer token and decodes the JSON reply into out. It asks
// for a refreshed token once after a 401, and waits through 429 answers up to the cap.
func (c *Client) getJSON(ctx context.Context, rawURL string, out any, info *CallInfo) (http.Header, error) {
	if c.Tokens == nil {
		return nil, errors.New("could not call Lightspeed: the client has no token source")
	}
	path := pathOf(rawURL)
	force, limited := false, 0
	for {
		token, err := c.Tokens.AccessToken(ctx, force)
		if err != nil {
			return nil, fmt.Errorf("could not get an access token for Lightspeed: %w", err)
		}
		resp, body, err := c.do(ctx, rawURL, token, info)
		if err != nil {
			return nil, err
		}
		switch code := resp.StatusCode; {
		case code == http.StatusUnauthorized && !force:
			force, info.Refreshed = true, true
		case code == http.StatusTooManyRequests:
			limited++
			if err := c.waitRateLimit(ctx, resp.Header, limited, path, info); err != nil {
				return nil, err
			}
		case code >= 200 && code < 300:
			return resp.Header, decode(body, out, resp, path)
		default:
			return nil, statusProblem(code, path, force)
		}
	}
}

// do sends one GET and reads the whole reply, under a default deadline when ctx has none.
func (c *Client) do(ctx context.Context, rawURL, token string, info *CallInfo) (*http.Response, []byte, error) {
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
	info.Requests++
	sent := time.Now()
	resp, err := c.httpClient().Do(req)
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

// nextPage finds the address of the next page of a list, or "" after the last page.
// It follows, in order: a Link header with rel="next"; an X-Next-Page header (an address
// or a page number); X-Page below X-Pages. A next page on another host is refused, so the
// access token is never sent anywhere but the API.
func (c *Client) nextPage(current string, h http.Header, items int) (string, error) {
	cur, err := url.Parse(current)
	if err != nil {
		return "", fmt.Errorf("could not read the page address: %w", err)
	}
	next := ""
	if link := linkNext(h.Values("Link")); link != "" {
		next = link
	} else if v := h.Get("X-Next-Page"); v != "" {
		next = pageOrURL(cur, v)
	} else if page, pages := atoi(h.Get("X-Page")), atoi(h.Get("X-Pages")); page > 0 && page < pages && items > 0 {
		next = withPage(cur, page+1)
	}
	if next == "" {
		return "", nil
	}
	ref, err := url.Parse(next)
	if err != nil {
		return "", badReply(http.StatusOK, cur.EscapedPath(), "the next-page address is unreadable", nil)
	}
	abs := cur.ResolveReference(ref)
	if abs.Scheme != cur.Scheme || abs.Host != cur.Host {
		return "", badReply(http.StatusOK, cur.EscapedPath(), "the next page is on another host", nil)
	}
	if abs.String() == cur.String() {
		return "", badReply(http.StatusOK, cur.EscapedPath(), "the next page is the same page", nil)
	}
	return abs.String(), nil
}

func pageOrURL(cur *url.URL, v string) string {
	if n := atoi(v); n > 0 {
		return withPage(cur, n)
	}
	return v
}

func withPage(cur *url.URL, page int) string {
	u := *cur
	q := u.Query()
	q.Set("page", strconv.Itoa(page))
	u.RawQuery = q.Encode()
	return u.String()
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}
