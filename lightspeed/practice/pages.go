package practice

import (
	"html/template"
	"net/http"
	"strings"
)

// pageStyle is shared by every page. Pages are self-contained: no scripts, no external
// fonts, images or style sheets, so they work offline and without JavaScript.
const pageStyle = `<style>
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;color:#1f2937}
.banner{background:#b45309;color:#fff;text-align:center;padding:8px 12px;font-weight:600;letter-spacing:.02em}
.card{max-width:440px;margin:48px auto;background:#fff;border-radius:10px;box-shadow:0 2px 12px rgba(0,0,0,.12);padding:28px 32px}
.brand{font-size:22px;font-weight:700;color:#e4002b;margin:0 0 4px}
h1{font-size:20px;margin:8px 0 16px}
label{display:block;font-weight:600;margin:16px 0 6px}
select{width:100%;padding:8px;font-size:15px;border:1px solid #9ca3af;border-radius:6px;background:#fff}
.actions{display:flex;flex-direction:row-reverse;gap:12px;margin-top:24px}
button{font-size:15px;padding:10px 18px;border-radius:6px;border:1px solid #9ca3af;background:#fff;cursor:pointer}
button.primary{background:#e4002b;border-color:#e4002b;color:#fff;font-weight:600}
.muted{color:#6b7280;font-size:13px}
.code{font-size:64px;font-weight:700;color:#9ca3af;margin:0}
</style>`

// consentTmpl is the practice consent page: pick a company (a business, store or account, in
// the product's words), then Grant Access or Deny. The Grant button comes first so that
// pressing Enter grants, and is shown on the right. The scopes asked for are listed, each one
// the person approves.
var consentTmpl = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Practice · Lightspeed · Grant access</title>` + pageStyle + `</head>
<body>
<div class="banner">Practice · This is not the real Lightspeed. Nothing here touches a real {{.Business}}.</div>
<div class="card">
<p class="brand">Lightspeed {{.Product}} <span class="muted">(Practice)</span></p>
<h1>Allow the integration to access your {{.Business}}?</h1>
<p>The integration will be able to read your {{.Business}}'s details and {{.Shops}}.</p>
{{if .Scopes}}<p>It asks for:</p><ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="code_challenge" value="{{.Challenge}}">
<input type="hidden" name="code_challenge_method" value="{{.Method}}">
<input type="hidden" name="scope" value="{{.Scope}}">
<label for="company_id">{{.BusinessTitle}}</label>
<select id="company_id" name="company_id">
{{range .Choices}}<option value="{{.ID}}">{{.Label}}</option>
{{end}}</select>
<div class="actions">
<button class="primary" type="submit" name="decision" value="grant">Grant Access</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
</form>
<p class="muted">Practice mode: choose any demo {{.Business}}. No sign-in is needed.</p>
</div>
</body></html>
`))

// consentData fills consentTmpl.
type consentData struct {
	Product, Business, BusinessTitle, Shops, Action        string
	ClientID, RedirectURI, State, Challenge, Method, Scope string
	Scopes                                                 []string
	Choices                                                []consentChoice
}

// consentChoice is one business on the consent page.
type consentChoice struct {
	ID    int64
	Label string
}

// consentData fills the consent page for a checked authorize request.
func (s *Server) consentData(r *http.Request, a authRequest) consentData {
	wd := s.cfg.Product.words()
	d := consentData{
		Product: wd.product, Business: wd.business, Shops: wd.shops,
		BusinessTitle: strings.ToUpper(wd.business[:1]) + wd.business[1:],
		Action:        r.URL.Path,
		ClientID:      a.clientID, State: a.state, Challenge: a.challenge, Method: a.method,
		Scope: a.scope, Scopes: a.scopes,
	}
	if a.sentURI {
		d.RedirectURI = a.redirectURI
	}
	for _, c := range s.companies {
		label := c.Name
		if s.cfg.Product == XSeries {
			label += " (" + c.DomainPrefix + ")"
		}
		d.Choices = append(d.Choices, consentChoice{ID: c.ID, Label: label})
	}
	return d
}

// serverErrorTmpl looks like the bare error page Lightspeed shows when the redirect_uri
// does not match (HTTP 500, no redirect). Hint, if set, is a practice-only explanation.
var serverErrorTmpl = template.Must(template.New("500").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Server Error</title>` + pageStyle + `</head>
<body>
<div class="card">
<p class="code">500</p>
<h1>Whoops, looks like something went wrong.</h1>
{{if .}}<p class="muted">Practice hint: {{.}}</p>{{end}}
</div>
</body></html>
`))

// messageTmpl is a plain error page for requests the consent flow cannot continue.
var messageTmpl = template.Must(template.New("message").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Practice · Lightspeed · {{.Title}}</title>` + pageStyle + `</head>
<body>
<div class="banner">Practice · This is not the real Lightspeed.</div>
<div class="card"><p class="brand">Lightspeed <span class="muted">(Practice)</span></p>
<h1>{{.Title}}</h1><p>{{.Message}}</p></div>
</body></html>
`))

// messageData fills messageTmpl.
type messageData struct{ Title, Message string }

// portalTmpl is what FaultHTML answers with: an HTML page where JSON was expected, as a
// captive portal or a misbehaving proxy would send.
var portalTmpl = template.Must(template.New("portal").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to the network</title></head>
<body><h1>Sign in to the network</h1><p>Please accept the terms to continue.</p></body></html>
`))

// Page names for writeHTML.
var (
	serverErrorPage = serverErrorTmpl
	portalPage      = portalTmpl
)

// writeHTML renders t with data as a complete HTML answer.
func writeHTML(w http.ResponseWriter, status int, t *template.Template, data any) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}

// writeMessage renders a plain practice error page.
func writeMessage(w http.ResponseWriter, status int, title, message string) {
	writeHTML(w, status, messageTmpl, messageData{Title: title, Message: message})
}

// notFoundPage answers any unknown address.
func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/moved/") {
		s.movedReqs.Add(1)
	}
	writeMessage(w, http.StatusNotFound, "Page not found", "This address is not part of the practice Lightspeed.")
}
