package connections

import (
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
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
