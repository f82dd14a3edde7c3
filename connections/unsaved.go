package connections

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/export"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// UnsavedError: a connection whose tokens Lightspeed issued but this computer could not store.

// UnsavedError is a connection whose tokens Lightspeed issued but this computer could not
// store: a new connection whose company could not be looked up or stored, or a refresh whose
// new tokens the keyring refused. The tokens stay in memory: Retry stores them again, Export
// writes them to a file. The app must offer both before it closes, because a refresh token
// that exists only in memory cannot be recovered. It prints without its tokens under every
// fmt verb and slog.
type UnsavedError struct {
	core     *Core
	kind     unsavedKind
	company  vault.Company // zero when the company could not be looked up
	tokens   vault.Tokens
	settings Settings
	// domainPrefix is an X-Series store's name from the consent answer, for a look-up again.
	domainPrefix string
	cause        error
	summary      string
	gen          uint64 // a refresh's: which reply the tokens came in (see Core.gens)
}

// unsavedKind is how the tokens came to be unsaved.
type unsavedKind int

const (
	unsavedConnect unsavedKind = iota // a new connection, looked up, not stored
	unsavedLookUp                     // a new connection whose company could not be looked up
	unsavedRefresh                    // a refresh of a connected company, not stored
)

func (c *Core) unsaved(company vault.Company, tokens vault.Tokens, s Settings, cause error) *UnsavedError {
	return &UnsavedError{
		core: c, kind: unsavedConnect, company: company, tokens: tokens, settings: s, cause: cause,
		summary: fmt.Sprintf("Lightspeed approved %s, but this computer couldn't store the connection: %s Keep the app open: try storing it again, or export it to a file so nothing is lost.",
			company.Name, lossless(cause)),
	}
}

// nothingLost matches the reassurance some failure sentences end with. Where tokens exist
// only in memory something can be lost, so an unsaved sentence quotes its cause without it.
var nothingLost = regexp.MustCompile(`(?i)(;\s*nothing (?:has been|was|is) lost\.?)|(\s*nothing (?:has been|was|is) lost[.;]?\s*)`)

// lossless is err's summary without a claim that nothing has been lost.
func lossless(err error) string {
	out := nothingLost.ReplaceAllStringFunc(problem.Summary(err), func(m string) string {
		if strings.HasPrefix(m, ";") {
			return "."
		}
		return " "
	})
	out = strings.Join(strings.Fields(out), " ")
	// "… Nothing has been lost; try again" leaves "try again": capitalise the sentence start.
	for i := 0; i+2 < len(out); i++ {
		if out[i] == '.' && out[i+1] == ' ' && out[i+2] >= 'a' && out[i+2] <= 'z' {
			out = out[:i+2] + strings.ToUpper(out[i+2:i+3]) + out[i+3:]
		}
	}
	if out != "" && !strings.HasSuffix(out, ".") {
		out += "."
	}
	return out
}

func (c *Core) unsavedLookUp(tokens vault.Tokens, s Settings, domainPrefix string, cause error) *UnsavedError {
	return &UnsavedError{
		core: c, kind: unsavedLookUp, tokens: tokens, settings: s, domainPrefix: domainPrefix, cause: cause,
		summary: fmt.Sprintf("Lightspeed approved the connection, but the app couldn't find out which company it is for: %s Keep the app open: try again, or export it to a file so nothing is lost.",
			lossless(cause)),
	}
}

// nameBound bounds reading a company's name for an unsaved sentence: the state lock may still
// be held by another window's keyring write that timed out (see vault.Vault.unlock).
const nameBound = 2 * time.Second

// unsavedRefresh is a refresh whose tokens the keyring refused; the company's record is read
// for its name, best effort.
func (c *Core) unsavedRefresh(ctx context.Context, s Settings, companyID int64, tokens vault.Tokens, cause error) *UnsavedError {
	company := vault.Company{ID: companyID, Name: fmt.Sprintf("company %d", companyID)}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), nameBound)
	defer cancel()
	if st, err := c.load(ctx); err == nil && st.Company(companyID) != nil {
		company = *st.Company(companyID)
	}
	return &UnsavedError{
		core: c, kind: unsavedRefresh, company: company, tokens: tokens, settings: s, cause: cause,
		summary: fmt.Sprintf("Lightspeed renewed %s's connection, but this computer couldn't store the new token: %s The token stored before may no longer work. Keep the app open: try storing it again, or export it to a file so nothing is lost.",
			company.Name, lossless(cause)),
	}
}

// Error is the plain sentence; it never contains a token.
func (e *UnsavedError) Error() string { return e.summary }

// Unwrap presents the failure as a KindNotStored problem whose cause is the storage error.
func (e *UnsavedError) Unwrap() error {
	return &problem.Error{Kind: problem.KindNotStored, Summary: e.summary, Detail: problem.Detail(e.cause), Err: e.cause}
}

// Company is the approved or refreshed company; zero (ID 0) when it could not be looked up.
func (e *UnsavedError) Company() Company { return companyOf(e.company) }

// Name names the company for a sentence: its name, or "the approved company" when it could
// not be looked up.
func (e *UnsavedError) Name() string {
	if e.company.Name == "" {
		return "the approved company"
	}
	return e.company.Name
}

// Refreshed reports whether the tokens come from a refresh of a company already connected,
// rather than from a new connection.
func (e *UnsavedError) Refreshed() bool { return e.kind == unsavedRefresh }

// Retry tries storing the tokens again (looking the company up first when that failed). A
// refresh's tokens go through the company's refresh, which stores the newest tokens held,
// so a retry never stores tokens older than ones a later refresh got.
func (e *UnsavedError) Retry(ctx context.Context) (*Connected, error) {
	e.core.flights.begin() // a face on its way out waits for it (see Drain)
	defer e.core.flights.end()
	switch e.kind {
	case unsavedRefresh:
		if _, err := e.core.refresh(ctx, e.settings, e.company.ID, false); err != nil {
			if u := AsUnsaved(err); u != nil {
				return nil, u
			}
			return nil, err
		}
		return &Connected{Company: companyOf(e.company)}, nil
	case unsavedLookUp:
		company, err := e.core.lookUp(ctx, e.settings, e.tokens.AccessToken, e.domainPrefix)
		if err != nil {
			return nil, e.core.unsavedLookUp(e.tokens, e.settings, e.domainPrefix, err)
		}
		return e.core.store(ctx, company, e.tokens, e.settings, 0)
	}
	if err := e.core.vault.SaveCompany(ctx, e.company, e.tokens); err != nil {
		return nil, e.core.unsaved(e.company, e.tokens, e.settings, err)
	}
	return &Connected{Company: companyOf(e.company)}, nil
}

// exportLookUpBound bounds the look-up an export of a not-looked-up connection tries first.
const exportLookUpBound = 15 * time.Second

// Export writes the connection to a file (mode 0600, atomically), the way a normal export
// would, so the integration can use it even though this computer could not keep it. A
// refresh's export holds the newest tokens held for the company; a connection whose company
// could not be looked up is looked up once more, and exported without its ID and name if
// that fails again.
func (e *UnsavedError) Export(path string, format Format, force bool) error {
	e.core.flights.begin() // a face on its way out waits for it (see Drain)
	defer e.core.flights.end()
	company, tokens := e.company, e.tokens
	switch e.kind {
	case unsavedRefresh:
		if held, ok := e.core.unstoredTokens(company.ID); ok {
			tokens = held
		}
	case unsavedLookUp:
		ctx, cancel := context.WithTimeout(context.Background(), exportLookUpBound)
		defer cancel()
		if found, err := e.core.lookUp(ctx, e.settings, tokens.AccessToken, e.domainPrefix); err == nil {
			company = found
		}
	}
	p := e.settings.profile()
	if company.DomainPrefix == "" {
		company.DomainPrefix = e.domainPrefix
	}
	values := companyValues(company)
	if addr, err := lightspeed.ExpandKnown(p.TokenURL, values); err == nil {
		p.TokenURL = addr
	}
	if addr, err := lightspeed.ExpandKnown(p.APIURL, values); err == nil {
		p.APIURL = addr
	}
	doc := export.Doc{
		ExportedAt: e.core.now(),
		Product:    e.settings.productID(),
		ClientID:   e.settings.ClientID,
		TokenURL:   p.TokenURL,
		APIBaseURL: p.APIURL,
		Companies:  []export.Company{exportCompany(company, tokens, p)},
	}
	return export.Write(path, export.Format(format), doc, force)
}

// String is the plain sentence, without tokens.
func (e *UnsavedError) String() string { return e.summary }

// GoString keeps %#v free of tokens.
func (e *UnsavedError) GoString() string {
	return fmt.Sprintf("&connections.UnsavedError{company: %d, tokens: %s}", e.company.ID, e.tokens.String())
}

// Format makes every fmt verb print the sentence (%#v the GoString), never a token.
func (e *UnsavedError) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, e.GoString())
		return
	}
	_, _ = io.WriteString(f, e.summary)
}

// LogValue keeps slog free of tokens.
func (e *UnsavedError) LogValue() slog.Value { return slog.StringValue(e.summary) }

// AsUnsaved returns the *UnsavedError in err's chain, or nil.
func AsUnsaved(err error) *UnsavedError {
	var u *UnsavedError
	if errors.As(err, &u) {
		return u
	}
	return nil
}
