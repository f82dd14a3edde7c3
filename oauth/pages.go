package oauth

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strconv"
)

//go:embed pages/page.html
var pageHTML string

// pageTemplate renders every page the browser sees; html/template escapes what goes in.
var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// page is one answer to the browser: small, self-contained, no scripts, no outside resources.
type page struct {
	Tone    string // "ok", "warn" or "bad": the colour of the mark
	Mark    string
	Title   string
	Message string
	After   string // what to do with the tab
}

// Sentences for the browser tab.
const (
	afterClose   = "You can close this tab and go back to Lightspeed Connect."
	afterWaiting = "Lightspeed Connect is still waiting. Go back to it and use the link it shows, or connect again."
)

// The pages the catcher can send.
var (
	pageSuccess     = page{"ok", "✓", "Connected", "Lightspeed Connect received the approval and finished connecting.", afterClose}
	pageDenied      = page{"warn", "!", "Access wasn't granted", "Lightspeed did not grant access. If that was a mistake, connect again in the app and approve access.", afterClose}
	pageProvider    = page{"bad", "×", "Lightspeed reported a problem", "Lightspeed sent an error instead of an approval. The app shows what to do next.", afterClose}
	pageWrongState  = page{"warn", "!", "This answer doesn't match", "This page belongs to an older or different connect attempt, so the app ignored it.", afterWaiting}
	pageWrongIssuer = page{"bad", "×", "This answer came from another server", "The answer names a different sign-in server than the one this connection uses, so the app ignored it. Check the sign-in address the app was given for the integration, then connect again.", afterWaiting}
	pageNoCode      = page{"warn", "!", "Lightspeed's answer was incomplete", "The address has no approval in it, so the app ignored it.", afterWaiting}
	pageFinished    = page{"warn", "!", "This connect attempt is already finished", "The app has already received an answer for this attempt.", afterClose}
	pageNotFound    = page{"warn", "?", "Nothing here", "This address is used by Lightspeed Connect only while it connects a company.", afterClose}
	pageWrongHost   = page{"bad", "×", "Wrong address", "Lightspeed Connect only answers on the exact address registered as the Redirect URI.", afterClose}
	pageMethod      = page{"bad", "×", "Not allowed", "Lightspeed Connect only accepts the browser's ordinary visit here.", afterClose}
	pageTooLong     = page{"bad", "×", "Address too long", "This address is far longer than Lightspeed's answer, so the app ignored it.", afterWaiting}
	pagePrefetch    = page{"warn", "…", "Not yet", "The browser tried to load this page in advance; the app waits for the real visit.", ""}
)

// failedPage shows the plain sentence of a failure that ended the attempt.
func failedPage(summary string) page {
	return page{"bad", "×", "Couldn't finish connecting", summary, afterClose}
}

// writePage sends p with headers that keep the answer private: no caching, no referrer (the
// address holds the code), no framing, no scripts.
func writePage(w http.ResponseWriter, status int, p page) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		http.Error(w, p.Title, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	setPrivateHeaders(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// setPrivateHeaders marks any answer of the catcher as private and inert.
func setPrivateHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
}
