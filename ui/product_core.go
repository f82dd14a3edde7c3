package ui

import (
	"context"
	"sync"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// The window's seam to the core's products: which product a company, a connection or the
// saved settings belong to, and how a choice of product reaches the core. Every screen asks
// here rather than reading the core's fields itself, so the words follow one rule: a company
// that names no product is O-Series, as every state written before products existed.

// defaultProduct is O-Series, the product of everything that names none. It is looked up
// once: the dashboard asks for it for every company on every redraw.
var defaultProduct = sync.OnceValue(func() connections.Product {
	p, _ := connections.ProductByID("")
	return p
})

// productOrDefault is p, or O-Series when p is the zero Product.
func productOrDefault(p connections.Product) connections.Product {
	if p.ID == "" {
		return defaultProduct()
	}
	return p
}

// statusProduct is the product of a company on the dashboard.
func statusProduct(cs connections.CompanyStatus) connections.Product {
	return productOrDefault(cs.Product)
}

// companyProduct is the product of a company just connected.
func companyProduct(c connections.Company) connections.Product {
	return productOrDefault(c.Product)
}

// savedProduct is the product the saved state names (the integration saved or the company
// connected last); ok is false when no integration of it is saved yet. An existing state that
// names no product is O-Series.
func savedProduct(ctx context.Context, core *connections.Core) (connections.Product, bool) {
	if core == nil {
		return connections.Product{}, false
	}
	p, err := core.ChosenProduct(ctx)
	if err != nil {
		return connections.Product{}, false
	}
	if _, err := core.SavedSettingsFor(ctx, p.ID); err != nil {
		return connections.Product{}, false
	}
	return p, true
}

// settingsOf loads product's saved settings (the secret from the keyring).
func settingsOf(ctx context.Context, core *connections.Core, p connections.Product) (connections.Settings, error) {
	return core.SettingsFor(ctx, p.ID)
}

// withProduct is s for product p.
func withProduct(s connections.Settings, p connections.Product) connections.Settings {
	s.Product = p.ID
	return s
}

// connectOptions are the options of a new connection of product p.
func connectOptions(p connections.Product) connections.ConnectOptions {
	return connections.ConnectOptions{Product: p.ID}
}

// optionsProduct is the product a new connection with opts connects.
func optionsProduct(opts connections.ConnectOptions) connections.Product {
	p, err := connections.ProductByID(opts.Product)
	if err != nil {
		return defaultProduct()
	}
	return p
}

// practiceConfig is cfg playing product p.
func practiceConfig(cfg connections.PracticeConfig, p connections.Product) connections.PracticeConfig {
	if product, err := connections.ParsePracticeProduct(p.ID); err == nil {
		cfg.Product = product
	}
	return cfg
}
