package vault

import (
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"hash/fnv"
	"strconv"
)

// Products in the state. The vault doesn't know what a product is beyond its ID: an integration
// and a company belong to one, "" (or OSeries) being Lightspeed O-Series, the app's first
// product. A state that holds only O-Series is written exactly as before products existed
// (schema 1, none of the fields below), so any version of the app can read and write it. A
// state that holds another product is written as SchemaProducts: a version that predates
// products reads it as newer and refuses to overwrite it, so it never drops what it can't
// represent.

// OSeries is the ID of Lightspeed O-Series, the product of every record that names none.
const OSeries = "o-series"

// SchemaProducts is the format of a state that holds a product other than O-Series: the
// product_integrations, product, and a company's product, external_id and domain_prefix
// fields. It is the highest schema this app knows.
const SchemaProducts = 2

// productOf is a record's product: "" means O-Series.
func productOf(p string) string {
	if p == "" {
		return OSeries
	}
	return p
}

// IsOSeries reports whether product (as a record stores it) is O-Series.
func IsOSeries(product string) bool { return productOf(product) == OSeries }

// ProductOf is the company's product, OSeries when the record names none.
func (c *Company) ProductOf() string { return productOf(c.Product) }

// IntegrationFor returns the integration registered for product; the zero Integration when
// there is none.
func (s *State) IntegrationFor(product string) Integration {
	if IsOSeries(product) {
		return s.Integration
	}
	return s.ProductIntegrations[product]
}

// SetIntegrationFor replaces product's integration, keeping the fields of the old one this
// version doesn't know (a newer version's settings stay as they were).
func (s *State) SetIntegrationFor(product string, in Integration) {
	if in.unknown == nil {
		in.unknown = s.IntegrationFor(product).unknown
	}
	if IsOSeries(product) {
		s.Integration = in
		return
	}
	if s.ProductIntegrations == nil {
		s.ProductIntegrations = map[string]Integration{}
	}
	s.ProductIntegrations[product] = in
}

// IntegrationKey names product's integration clientID where the vault keeps things per
// integration: its client secret's keyring item and its RefreshRotation entry. It is the
// client ID itself for O-Series (as it always was), the product and the client ID for the
// others, so two products' integrations never share a secret or what was learnt about one.
func IntegrationKey(product, clientID string) string {
	if IsOSeries(product) || clientID == "" {
		return clientID
	}
	return productOf(product) + " " + clientID
}

// RotationFor is Rotation for product's integration.
func (s *State) RotationFor(product string) (rotates, known bool) {
	return s.Rotation(IntegrationKey(product, s.IntegrationFor(product).ClientID))
}

// holdsProducts reports whether anything in s belongs to a product other than O-Series.
func (s *State) holdsProducts() bool {
	if len(s.ProductIntegrations) > 0 || !IsOSeries(s.Product) {
		return true
	}
	for _, c := range s.Companies {
		if !IsOSeries(c.Product) || c.ExternalID != "" || c.DomainPrefix != "" {
			return true
		}
		for _, site := range c.Sites {
			if site.ExternalID != "" {
				return true
			}
		}
	}
	return false
}

// schemaToWrite is the schema s is written as: SchemaVersion while it holds only O-Series,
// SchemaProducts otherwise.
func (s *State) schemaToWrite() int {
	if s.holdsProducts() {
		return SchemaProducts
	}
	return SchemaVersion
}

// LocalID is the ID under which the app keeps a business of product whose own ID is
// externalID: its keyring items, its lock file, its record, and what --company names.
//
// O-Series keeps Lightspeed's company ID, a positive number, as it always has: externalID must
// be one, and ok is false otherwise. Every other product gets a negative number, so it can
// never be an O-Series company's: bits 60-61 hold the product (K 1, X 2, R 3, others 3 too)
// and the low 60 bits a hash (FNV-1a) of the product and its ID, which may be a number that
// another product also uses or an X-Series UUID. Two of one product's businesses colliding in
// 60 bits is improbable; the core refuses a connect that would land on another business's
// record rather than mix them (see connections).
func LocalID(product, externalID string) (id int64, ok bool) {
	product = productOf(product)
	if product == OSeries {
		n, err := strconv.ParseInt(externalID, 10, 64)
		return n, err == nil && n > 0
	}
	if externalID == "" {
		return 0, false
	}
	var tag uint64 = 3
	switch product {
	case "k-series":
		tag = 1
	case "x-series":
		tag = 2
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(product + "\x00" + externalID))
	return -int64(tag<<60 | h.Sum64()&(1<<60-1)), true
}

// ExportProduct is the one product of the chosen companies (all when ids is empty), whose
// integration an export names; O-Series when none is chosen. Companies of several products
// can't share one export, which names one integration: that is a usage problem.
func (st *State) ExportProduct(ids []int64) (string, error) {
	products := map[string]bool{}
	first := ""
	note := func(c *Company) {
		if p := c.ProductOf(); !products[p] {
			products[p] = true
			if first == "" {
				first = p
			}
		}
	}
	if len(ids) == 0 {
		for i := range st.Companies {
			note(&st.Companies[i])
		}
	}
	for _, id := range ids {
		if c := st.Company(id); c != nil {
			note(c)
		}
	}
	if len(products) > 1 {
		return "", problem.New(problem.KindUsage,
			"These companies come from different Lightspeed products, and an export file is for one product's integration. Export each product's companies to a file of their own.", nil).
			WithDetail("export of %d products", len(products))
	}
	return productOf(first), nil
}
