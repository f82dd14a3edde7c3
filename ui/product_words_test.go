package ui

import (
	"slices"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

func mustProduct(t *testing.T, id string) connections.Product {
	t.Helper()
	p, err := connections.ProductByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConnectedScreenAndStepsSpeakTheProduct: the Connected screen lists what was connected in
// its product's words, and the waiting screen's steps name what the person chooses in
// Lightspeed; O-Series says what it always said.
func TestConnectedScreenAndStepsSpeakTheProduct(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	sites := []connections.Site{{ID: 1, Name: "Queen St"}, {ID: 2, Name: "Ponsonby"}}
	want := map[string]struct{ list, step, not string }{
		"o-series": {"Sites: Queen St · Ponsonby", "2. Choose your company, then click Grant Access.", "Outlets"},
		"k-series": {"Locations: Queen St · Ponsonby", "2. Choose your business, then click Grant Access.", "Sites:"},
		"x-series": {"Outlets: Queen St · Ponsonby", "2. Choose your store, then click Grant Access.", "Sites:"},
		"r-series": {"Shops: Queen St · Ponsonby", "2. Choose your account, then click Grant Access.", "Sites:"},
	}
	for _, p := range connections.Products() {
		w := want[p.ID]
		h.ui(func() {
			c := &connections.Connected{Company: connections.Company{ID: 9, Name: "Kiwi Goods Ltd", Product: p, Sites: sites}}
			h.shell.show(newConnected(h.shell, c).content())
			if !h.has(w.list) || h.has(w.not) {
				t.Errorf("%s: the Connected screen says %q, want %q and no %q", p.ID, h.texts(), w.list, w.not)
			}
			wt := newWaiting(h.shell, connectOptions(p), h.shell.showWelcome)
			h.shell.show(wt.content())
			if !h.has(w.step) {
				t.Errorf("%s: the waiting screen says %q, want %q", p.ID, h.texts(), w.step)
			}
			wt.cancel()
		})
	}
}

// desk makes companies of the given products, three shops each, one of them needing a
// reconnect.
func desk(products ...connections.Product) []connections.CompanyStatus {
	names := []string{"Harbour Burgers", "Kiwi Goods", "Bondi Bean Co.", "Manly Surf Shop"}
	var out []connections.CompanyStatus
	for i, p := range products {
		cs := demoStatus(connections.StatusHealthy, "Lightspeed answered in 120 ms.")
		if i == 1 {
			cs = demoStatus(connections.StatusNeedsReconnect, "Lightspeed no longer accepts this connection.")
		}
		cs.ID, cs.Name, cs.Product = int64(-100-i), names[i%len(names)], p
		cs.Sites = []connections.Site{{ID: 1, Name: "Queen St"}, {ID: 2, Name: "Ponsonby"}, {ID: 3, Name: "Takapuna"}}
		out = append(out, cs)
	}
	return out
}

// TestDashboardSpeaksEachCompanysProduct: a desk of one product sees no Product column and no
// filter, and its columns, rows and buttons speak that product's words; a desk of several has
// the column (a word per row) and the filter, whose choice shows and counts only its product.
func TestDashboardSpeaksEachCompanysProduct(t *testing.T) {
	h := newHarness(t, deps{now: func() time.Time { return fixedNow }})
	o, x := mustProduct(t, "o-series"), mustProduct(t, "x-series")

	var d *dashboard
	h.ui(func() {
		d = newDashboard(h.shell, nil, desk(x, x))
		h.shell.show(d.content())
	})
	h.ui(func() {
		for _, want := range []string{"Store", "Outlets", "3 outlets", "Connect another store"} {
			if !h.has(want) {
				t.Errorf("a desk of X-Series stores doesn't say %q: %q", want, h.texts())
			}
		}
		for _, not := range []string{"3 sites", "X-Series", "Connect another company"} {
			if h.has(not) {
				t.Errorf("a desk of X-Series stores says %q: %q", not, h.texts())
			}
		}
		if d.productFilter.Visible() {
			t.Error("a desk of one product shows the product filter")
		}
	})

	h.ui(func() {
		d = newDashboard(h.shell, nil, desk(o, x, x))
		h.shell.show(d.content())
	})
	h.ui(func() {
		for _, want := range []string{"Company", "Sites", "Product", "O-Series", "X-Series", "3 sites", "3 outlets", "Connect another company", "2 healthy", "1 needs reconnecting"} {
			if !h.has(want) {
				t.Errorf("a desk of two products doesn't say %q: %q", want, h.texts())
			}
		}
		if !d.productFilter.Visible() || !slices.Equal(d.productFilter.Options, []string{allProducts, "O-Series", "X-Series"}) {
			t.Fatalf("the product filter: shown %t, choices %q", d.productFilter.Visible(), d.productFilter.Options)
		}
		d.productFilter.SetSelected("O-Series")
		if len(d.shown) != 1 || statusProduct(d.statuses[d.shown[0]]).ID != "o-series" {
			t.Errorf("filtered to O-Series, the list shows %d companies", len(d.shown))
		}
		if !h.has("1 healthy") || !h.has("0 need reconnecting") {
			t.Errorf("filtered to O-Series, the summary doesn't count its one company: %q", h.texts())
		}
		d.productFilter.SetSelected(allProducts)
		if len(d.shown) != 3 {
			t.Errorf("All products shows %d companies, want 3", len(d.shown))
		}
		// The last O-Series company disconnected: one product is left, and the filter goes.
		d.productFilter.SetSelected("O-Series")
		d.replaceStatuses(desk(x, x))
		if d.productFilter.Visible() || d.product != "" || len(d.shown) != 2 {
			t.Errorf("with one product left: filter shown %t on %q, %d companies shown", d.productFilter.Visible(), d.product, len(d.shown))
		}
	})
}

// TestPracticePlaysTheChosenProduct: "Practice with a demo company" asks which Lightspeed, and
// the practice server plays the answer: the details name it and hold the server's settings for
// it, and Next connects the demo company through that product's consent. Where the core can
// read what was connected, the Connected screen lists the demo company's places in the
// product's words; where this version can't yet, the attempt ends with the core's sentence
// naming the product.
func TestPracticePlaysTheChosenProduct(t *testing.T) {
	testenv.Need(t)
	lists := map[string]string{
		"o-series": "Sites: Parramatta · Manly · Bondi",
		"k-series": "Locations: Parramatta · Manly · Bondi",
		"x-series": "Outlets: Parramatta · Manly · Bondi",
		"r-series": "Shops: Parramatta · Manly · Bondi",
	}
	for _, p := range connections.Products() {
		t.Run(p.ID, func(t *testing.T) {
			errs := make(chan error, 1)
			h := newHarness(t, deps{open: consentOpener(0, true, errs)})
			h.ui(h.shell.showWelcome)
			h.tap("Practice with a demo company")
			h.answerProduct(p.Name)
			h.waitText("Enter your integration's details")
			h.ui(func() {
				if got := h.shell.practice.server.Settings.Product; productOrDefault(mustProduct(t, got)).ID != p.ID {
					t.Fatalf("the practice server plays %q, want %s", got, p.ID)
				}
				if !h.has(p.Name) || !h.has("Practice mode") {
					t.Fatalf("the practice details don't name %s: %q", p.Name, h.texts())
				}
			})
			h.tap("Next")
			cantYet := "can't connect " + p.Name + " yet"
			h.waitFor("Connected or the core's refusal", func() bool {
				select {
				case err := <-errs:
					t.Fatalf("browser: %v", err)
				default:
				}
				return h.has("✓ Connected: Harbour Burgers Pty Ltd") || h.has(cantYet)
			})
			h.ui(func() {
				switch {
				case h.has(cantYet):
					if p.ID == connections.DefaultProductID {
						t.Fatalf("O-Series practice was refused: %q", h.texts())
					}
					t.Logf("%s: %q (the core can't read what was connected in it yet)", p.ID, cantYet)
				case !h.has(lists[p.ID]):
					t.Errorf("the Connected screen doesn't say %q: %q", lists[p.ID], h.texts())
				}
			})
		})
	}
}
