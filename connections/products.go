package connections

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Product is one Lightspeed product as the faces see it: its name and the words it uses for
// what was connected. The wizard asks which one the person uses; the dashboard shows it beside
// each company; every sentence about a company uses its product's words.
type Product struct {
	// ID is the product's word on the command line and in files: "o-series", "k-series",
	// "x-series", "r-series".
	ID string
	// Name is the name merchants know: "Retail X-Series (formerly Vend)".
	Name string
	// ShortName is the name where room is short, such as a badge: "X-Series".
	ShortName string
	// Description is one line for the wizard's product question.
	Description string
	// Company is what the product calls the business that was connected, in lower case:
	// "company", "business", "store", "account".
	Company string
	// Companies is its plural.
	Companies string
	// Shop is what it calls one of the business's places: "site", "location", "outlet", "shop".
	Shop string
	// Shops is its plural.
	Shops string
}

// DefaultProductID is the product of everything that names none: every state written before
// the app knew other products, and a connect without --product when nothing is saved.
const DefaultProductID = string(lightspeed.DefaultProduct)

// Products lists every product the app connects, O-Series (the default) first.
func Products() []Product {
	profiles := lightspeed.Profiles()
	out := make([]Product, 0, len(profiles))
	for _, p := range profiles {
		out = append(out, productOf(p))
	}
	return out
}

// ProductByID returns the product named id ("x-series"; case and surrounding space don't
// matter; "" is the default product). An unknown name is a usage problem whose sentence lists
// the four.
func ProductByID(id string) (Product, error) {
	p, err := profileByID(id)
	if err != nil {
		return Product{}, err
	}
	return productOf(p), nil
}

// profileByID is ProductByID for the core: the product's whole profile.
func profileByID(id string) (lightspeed.Profile, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		id = DefaultProductID
	}
	if p, ok := lightspeed.ProfileOf(lightspeed.ProductID(id)); ok {
		return p, nil
	}
	return lightspeed.Profile{}, problem.New(problem.KindUsage, unknownProductSentence(id), nil)
}

func productOf(p lightspeed.Profile) Product {
	return Product{
		ID:          string(p.ID),
		Name:        p.Name,
		ShortName:   p.ShortName,
		Description: p.Description,
		Company:     p.Words.Company,
		Companies:   p.Words.Companies,
		Shop:        p.Words.Shop,
		Shops:       p.Words.Shops,
	}
}

// forCompany returns s with the token and API addresses of co's own store or account filled
// in: X-Series' are per store (its domain_prefix, recorded at connect), R-Series' API is per
// account. Other products' addresses have nothing to fill and come back as they are.
func (s Settings) forCompany(co vault.Company) (Settings, error) {
	p := s.profile()
	if p.ConsentParam != "" {
		s.store = co.DomainPrefix
	}
	if len(lightspeed.Placeholders(p.TokenURL)) == 0 && len(lightspeed.Placeholders(p.APIURL)) == 0 {
		return s, nil
	}
	values := companyValues(co)
	token, err := lightspeed.Expand(p.TokenURL, values)
	if err == nil {
		s.TokenURL, err = token, nil
		var api string
		if api, err = lightspeed.Expand(p.APIURL, values); err == nil {
			s.APIURL = api
		}
	}
	if err != nil {
		return s, problem.New(problem.KindInvalidGrant,
			fmt.Sprintf("The app doesn't know which store %s is at Lightspeed any more. Reconnect it.", co.Name), err).
			WithFix(problem.Fix{Action: problem.ActionReconnect, CompanyID: co.ID}).
			WithDetail("company %d: %v", co.ID, err)
	}
	return s, nil
}

// companyValues are what a company's addresses may need: X-Series' domain_prefix, R-Series'
// account ID.
func companyValues(co vault.Company) map[string]string {
	return map[string]string{lightspeed.PlaceholderDomainPrefix: co.DomainPrefix, lightspeed.PlaceholderAccountID: co.ExternalID}
}

// settingsByProduct holds, for one check or refresh of many companies, each product's settings
// (with the client secret), read once per product, or why they couldn't be read.
type settingsByProduct struct {
	ok     map[string]Settings
	failed map[string]error
}

// loadSettings reads the settings in st of every product among companies. With no companies, or
// when no product's settings could be read, the error is the first failure (for an O-Series
// state exactly what it always was); otherwise a product whose settings fail fails only its
// own companies (see of).
func (c *Core) loadSettings(ctx context.Context, st *vault.State, companies []vault.Company) (settingsByProduct, error) {
	out := settingsByProduct{ok: map[string]Settings{}, failed: map[string]error{}}
	if len(companies) == 0 {
		_, err := c.settingsIn(ctx, st, "")
		return out, err
	}
	var first error
	for _, co := range companies {
		p := co.ProductOf()
		if _, ok := out.ok[p]; ok {
			continue
		}
		if _, ok := out.failed[p]; ok {
			continue
		}
		s, err := c.settingsIn(ctx, st, p)
		if err != nil {
			out.failed[p] = err
			if first == nil {
				first = err
			}
			continue
		}
		out.ok[p] = s
	}
	if len(out.ok) == 0 {
		return out, first
	}
	return out, nil
}

// of is the settings co is checked and refreshed with: its product's, with its own store's
// addresses.
func (sp settingsByProduct) of(co vault.Company) (Settings, error) {
	s, ok := sp.ok[co.ProductOf()]
	if !ok {
		return Settings{}, sp.failed[co.ProductOf()]
	}
	return s.forCompany(co)
}

// companySettings is the settings in st of one stored company: its product's, with its own
// store's addresses.
func (c *Core) companySettings(ctx context.Context, st *vault.State, co vault.Company) (Settings, error) {
	s, err := c.settingsIn(ctx, st, co.ProductOf())
	if err != nil {
		return Settings{}, err
	}
	return s.forCompany(co)
}

// LooksLikeCompanyID reports whether ref has the shape of something CompanyIDs takes: a
// number (an O-Series, K-Series or R-Series ID, or the app's own for the company), a UUID (an
// X-Series store), or "product:ID". A face checks it as the person types, before anything is
// looked up.
func LooksLikeCompanyID(ref string) bool {
	ref = strings.TrimSpace(ref)
	if product, ext, ok := strings.Cut(ref, ":"); ok {
		_, err := profileByID(product)
		return err == nil && strings.TrimSpace(ext) != ""
	}
	if _, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return true
	}
	return isUUID(ref)
}

// isUUID reports whether s is a UUID written 8-4-4-4-12 in hexadecimal digits.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return false
		}
	}
	return true
}

// CompanyIDs turns what a person typed to name companies (--company) into their IDs on this
// computer. Each may be
//   - the company's ID here (an O-Series company's Lightspeed ID; what `status` lists first),
//   - the product's own ID of the business (an X-Series store's UUID, a K-Series business ID),
//     in any case, when exactly one connected company has it,
//   - or "product:ID" ("k-series:31001") when businesses of two products share an ID.
//
// A number that names no connected company passes through unchanged, so the command's own
// "No company with ID …" sentence answers it; anything else that names none is a usage
// problem.
func (c *Core) CompanyIDs(ctx context.Context, refs []string) ([]int64, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	st, err := c.load(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]int64, 0, len(refs))
	for _, ref := range refs {
		id, err := resolveCompany(st, strings.TrimSpace(ref))
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// CompanyID is CompanyIDs for one.
func (c *Core) CompanyID(ctx context.Context, ref string) (int64, error) {
	ids, err := c.CompanyIDs(ctx, []string{ref})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

func resolveCompany(st *vault.State, ref string) (int64, error) {
	n, numErr := strconv.ParseInt(ref, 10, 64)
	if numErr == nil && st.Company(n) != nil {
		return n, nil
	}
	if product, ext, ok := strings.Cut(ref, ":"); ok {
		if p, err := profileByID(product); err == nil {
			if id, ok := vault.LocalID(string(p.ID), strings.TrimSpace(ext)); ok && st.Company(id) != nil {
				return id, nil
			}
			return 0, problem.New(problem.KindUsage, fmt.Sprintf(
				"No %s with the ID %q is connected through %s on this computer.",
				p.Words.Company, strings.TrimSpace(ext), p.Name), nil).WithFix(problem.Fix{Action: problem.ActionListCompanies})
		}
	}
	var found []vault.Company
	for _, co := range st.Companies {
		if co.ExternalID != "" && strings.EqualFold(co.ExternalID, ref) {
			found = append(found, co)
		}
	}
	switch {
	case len(found) == 1:
		return found[0].ID, nil
	case len(found) > 1:
		choices := make([]string, 0, len(found))
		for _, co := range found {
			choices = append(choices, co.ProductOf()+":"+co.ExternalID+" ("+co.Name+")")
		}
		return 0, problem.New(problem.KindUsage, fmt.Sprintf("More than one connected company has the ID %q: name one as %s.",
			ref, strings.Join(choices, " or ")), nil)
	case numErr == nil && n > 0:
		return n, nil
	}
	return 0, problem.New(problem.KindUsage, fmt.Sprintf(
		"No company with the ID %q is connected on this computer.", ref), nil).WithFix(problem.Fix{Action: problem.ActionListCompanies})
}

// companyAdvanced are the advanced settings co runs with: its product's integration's.
func companyAdvanced(st *vault.State, co vault.Company) SettingValues {
	return AdvancedValues(settingsFrom(co.ProductOf(), st.IntegrationFor(co.ProductOf())))
}

// defaultPace is the pace of API requests when the settings name none: the app's default for
// O-Series (DefaultRequestsPerMinute), the product's own below its limit for the others.
func (s Settings) defaultPace() int {
	if s.productID() == DefaultProductID {
		return DefaultRequestsPerMinute
	}
	return s.productProfile().RateLimit.RequestsPerMinute
}

// advanced are the advanced settings co's product's integration runs with (the defaults when
// its settings couldn't be read).
func (sp settingsByProduct) advanced(co vault.Company) SettingValues {
	s, ok := sp.ok[co.ProductOf()]
	if !ok {
		s = Settings{Product: co.Product}
	}
	return AdvancedValues(s)
}
