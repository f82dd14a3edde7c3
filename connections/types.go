package connections

import (
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Company is a connected Lightspeed company as the faces see it.
type Company struct {
	// ID is Lightspeed's company ID.
	ID int64
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
	// ID is Lightspeed's site ID.
	ID int64 `json:"id"`
	// Name is the site's name.
	Name string `json:"name"`
	// Code is the site's short code, if it has one.
	Code string `json:"code,omitempty"`
}

func companyOf(c vault.Company) Company {
	return Company{ID: c.ID, Name: c.Name, Sites: sitesOf(c.Sites), SitesTotal: derefInt(c.SitesTotal), ConnectedAt: c.ConnectedAt}
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
		out = append(out, Site{ID: s.ID, Name: s.Name, Code: s.Code})
	}
	return out
}
