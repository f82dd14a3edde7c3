package ui

import (
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// The dashboard on a desk of several Lightspeed products: a Product column with each
// company's product in a word ("X-Series"), and a filter beside the search that shows one
// product's companies. Both appear only when more than one product is connected: a desk of one
// product sees the dashboard it always saw, in its product's words ("Outlets", "3 outlets").

// rowColumns are what the list's columns hold on this desk, shared by the header and every
// row: whether the Product column shows, and the widest text of the sites' column. version
// counts the changes, so each row is laid out again once after one.
type rowColumns struct {
	product       bool
	productSample string // the widest product name on the desk
	sites         string
	version       int
}

// allProducts is the filter's choice that shows every product.
const allProducts = "All products"

// products are the products of the companies on the desk, in the app's order (O-Series first).
func (d *dashboard) products() []connections.Product {
	var out []connections.Product
	for _, p := range connections.Products() {
		if slices.ContainsFunc(d.statuses, func(cs connections.CompanyStatus) bool { return statusProduct(cs).ID == p.ID }) {
			out = append(out, p)
		}
	}
	return out
}

// productsChanged reports whether the companies' products differ from those on the desk, in
// one pass over the companies (a check's results come in batches; most change no product).
func (d *dashboard) productsChanged() bool {
	if d.columns.version == 0 {
		return true // never worked out yet
	}
	found := make([]string, 0, len(d.onDesk))
	for _, cs := range d.statuses {
		id := statusProduct(cs).ID
		if !slices.Contains(found, id) {
			if !slices.ContainsFunc(d.onDesk, func(p connections.Product) bool { return p.ID == id }) {
				return true
			}
			found = append(found, id)
		}
	}
	return len(found) != len(d.onDesk)
}

// newProductFilter is the filter's drop-down: every product on the desk by its short name.
func (d *dashboard) newProductFilter() *widget.Select {
	f := widget.NewSelect(nil, d.onProductFilterChanged)
	f.PlaceHolder = allProducts
	f.Hide()
	return f
}

// onProductFilterChanged shows only the chosen product's companies, or all of them.
func (d *dashboard) onProductFilterChanged(choice string) {
	id := ""
	for _, p := range connections.Products() {
		if p.ShortName == choice {
			id = p.ID
		}
	}
	if id == d.product {
		return
	}
	d.product = id
	d.selectFirstIfHidden()
	d.list.follow = true
	d.apply()
}

// noticeProducts adapts the dashboard to the products on the desk after its companies
// changed: the filter's choices (shown only for more than one product; a filter on a product
// no longer there is turned off), the Product column and the sites column's width.
func (d *dashboard) noticeProducts() {
	if !d.productsChanged() {
		return
	}
	products := d.products()
	d.onDesk = products
	options := []string{allProducts}
	widest, widestName := "88 of "+connections.SiteCount(888), ""
	for _, p := range products {
		options = append(options, p.ShortName)
		if w := "88 of " + p.ShopCount(888); len(w) > len(widest) {
			widest = w
		}
		if textWidth(p.ShortName) > textWidth(widestName) {
			widestName = p.ShortName
		}
	}
	if d.product != "" && !slices.ContainsFunc(products, func(p connections.Product) bool { return p.ID == d.product }) {
		d.product = ""
	}
	d.productFilter.Options = options
	if d.product == "" {
		d.productFilter.Selected = ""
	}
	several := len(products) > 1
	d.nameActions()
	if several {
		d.productFilter.Show()
	} else {
		d.productFilter.Hide()
	}
	d.productFilter.Refresh()
	if d.columns.product != several || d.columns.sites != widest || d.columns.productSample != widestName+" " {
		// A space more: an ellipsis must never cut a product's name.
		d.columns.product, d.columns.sites, d.columns.productSample = several, widest, widestName+" "
		d.columns.version++
		if d.list != nil {
			d.list.header.titles.Refresh()
		}
	}
}

// matches reports whether the list shows cs under the filters and the search.
func (d *dashboard) matches(cs connections.CompanyStatus) bool {
	switch {
	case d.filter != "" && cs.Status != d.filter:
		return false
	case d.product != "" && statusProduct(cs).ID != d.product:
		return false
	case d.query != "" && !strings.Contains(d.haystack[cs.ID], d.query):
		return false
	}
	return true
}

// setProductColumn fills a row's product badge, and lays the row out again when the desk's
// columns changed since it was last laid out.
func (c *companyList) setProductColumn(row *fyne.Container, cs connections.CompanyStatus) {
	label := row.Objects[colProduct].(*widget.Label)
	cols := c.d.columns
	if cols.product {
		label.SetText(statusProduct(cs).ShortName)
		label.Show()
	} else {
		label.Hide()
	}
	if c.laidOut[row] != cols.version {
		c.laidOut[row] = cols.version
		row.Refresh()
	}
}

// nameColumns names the header's columns in the desk's words: a desk of one product says
// what that product calls a business and its shops ("Store", "Outlets"); a desk of several
// says "Company" and "Sites", each row saying its own product's.
func (h *listHeader) nameColumns() {
	company, sites := "Company", "Sites"
	if products := h.d.onDesk; len(products) == 1 {
		company, sites = capitalized(products[0].Company), capitalized(products[0].Shops)
	}
	h.company.SetText(company)
	h.sites.SetText(sites)
	if h.d.columns.product {
		h.product.Show()
	} else {
		h.product.Hide()
	}
}

// capitalized is s with its first letter in upper case: "outlets" is "Outlets".
func capitalized(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// nameActions words the connect button and the search box for the desk: a desk of one
// product says its words ("Connect another store", "Search name, ID or outlet"); an empty
// desk or one of several says "company" and "site".
func (d *dashboard) nameActions() {
	company, shop := d.deskWords()
	if text := "Connect another " + company; d.connectAnother.Text != text {
		d.connectAnother.SetText(text)
	}
	if text := "Search name, ID or " + shop; d.search.PlaceHolder != text {
		d.search.SetPlaceHolder(text)
	}
}

// deskWords are what the desk calls a business and one of its shops: its product's words on a
// desk of one product, "company" and "site" otherwise.
func (d *dashboard) deskWords() (company, shop string) {
	if len(d.onDesk) == 1 {
		return d.onDesk[0].Company, d.onDesk[0].Shop
	}
	return "company", "site"
}

// textWidth is how wide text is in the theme's text size.
func textWidth(text string) float32 {
	return fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width
}

// peopleID is the ID people know a company by: its product's own (an O-Series company ID, an
// X-Series store's UUID), else the app's number for it.
func peopleID(cs connections.CompanyStatus) string {
	if cs.ExternalID != "" {
		return cs.ExternalID
	}
	return strconv.FormatInt(cs.ID, 10)
}
