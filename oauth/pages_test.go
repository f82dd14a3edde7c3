package oauth

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPagesAreSelfContained: every page is inert HTML with inline CSS only, sent with headers
// that keep the address (which holds the code) out of caches and referrers.
func TestPagesAreSelfContained(t *testing.T) {
	pages := []page{pageSuccess, pageDenied, pageProvider, pageWrongState, pageWrongIssuer, pageNoCode, pageFinished, pageNotFound,
		pageWrongHost, pageMethod, pageTooLong, pagePrefetch, failedPage(msgInvalidGrantConnect), failedPage("<script>x</script>")}
	for _, p := range pages {
		rec := httptest.NewRecorder()
		writePage(rec, 200, p)
		body := strings.ToLower(rec.Body.String())
		for _, bad := range []string{"<script", "src=", "href=", "@import", "url(", "http://", "https://"} {
			if strings.Contains(body, bad) {
				t.Errorf("page %q contains %q", p.Title, bad)
			}
		}
		if !strings.Contains(rec.Body.String(), "<h1>") {
			t.Errorf("page %q has no heading", p.Title)
		}
		h := rec.Header()
		if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("page %q lacks the privacy headers", p.Title)
		}
	}
}
