package connections

import (
	"strconv"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Company is a connected Lightspeed company as the faces see it.
type Company struct {
	// ID is the company's ID on this computer: Lightspeed's company ID for O-Series, a number
	// the app derived for other products (negative; see ExternalID). What --company names.
	ID int64
	// ExternalID is the product's own ID of the business, what people see and may type: the
	// O-Series company ID in decimal, an X-Series store's UUID, a K-Series business ID.
	ExternalID string
	// Product is the Lightspeed product it was connected through, with its words.
	Product Product
	// Name is the company's name as Lightspeed reports it.
	Name string
	// Sites are the company's sites that the person who granted access can see.
	Sites []Site
	// SitesTotal is how many sites the company has in all (Lightspeed's sites.count), also
	// those the person who granted access can't see; 0 when not known. See SitesNote.
	SitesTotal int
	// ConnectedAt is when the company was (re)connected.
	ConnectedAt time.Time
}

// Site is one of a company's sites. Its JSON form is part of `status --json`.
type Site struct {
	// ID is Lightspeed's site ID (for a product whose shop IDs aren't numbers, one the app
	// derived; see ExternalID).
	ID int64 `json:"id"`
	// ExternalID is the product's own ID of the shop when it isn't ID (an X-Series outlet's
	// UUID); omitted for O-Series.
	ExternalID string `json:"external_id,omitempty"`
	// Name is the site's name.
	Name string `json:"name"`
	// Code is the site's short code, if it has one.
	Code string `json:"code,omitempty"`
}

func companyOf(c vault.Company) Company {
	return Company{ID: c.ID, ExternalID: externalID(c), Product: productOfCompany(c), Name: c.Name, Sites: sitesOf(c.Sites),
		SitesTotal: derefInt(c.SitesTotal), ConnectedAt: c.ConnectedAt}
}

// externalID is the product's own ID of c: O-Series' company ID in decimal.
func externalID(c vault.Company) string {
	if c.ExternalID != "" || c.ID == 0 {
		return c.ExternalID
	}
	return strconv.FormatInt(c.ID, 10)
}

// productOfCompany is c's product; O-Series' words for a product this version doesn't know.
func productOfCompany(c vault.Company) Product {
	p, err := ProductByID(c.ProductOf())
	if err != nil {
		p, _ = ProductByID("")
	}
	return p
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// sitesOf converts stored sites; the result is never nil, so JSON says [] for none.
func sitesOf(sites []vault.Site) []Site {
	out := make([]Site, 0, len(sites))
	for _, s := range sites {
		out = append(out, Site{ID: s.ID, ExternalID: s.ExternalID, Name: s.Name, Code: s.Code})
	}
	return out
}
