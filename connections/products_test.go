package connections

import (
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

func TestProductsForTheFaces(t *testing.T) {
	ps := Products()
	if len(ps) != 4 || ps[0].ID != "o-series" {
		t.Fatalf("Products() = %+v; want four, O-Series first", ps)
	}
	for _, p := range ps {
		if p.Name == "" || p.ShortName == "" || p.Description == "" || p.Company == "" || p.Companies == "" || p.Shop == "" || p.Shops == "" {
			t.Errorf("%s lacks a name or a word: %+v", p.ID, p)
		}
		for _, spelled := range []string{p.ID, strings.ToUpper(p.ID), "  " + p.ID + "\n"} {
			got, err := ProductByID(spelled)
			if err != nil || got != p {
				t.Errorf("ProductByID(%q) = %+v, %v", spelled, got, err)
			}
		}
	}
	if p, err := ProductByID(""); err != nil || p.ID != "o-series" {
		t.Errorf("ProductByID(\"\") = %+v, %v; want the default, O-Series", p, err)
	}
	x, _ := ProductByID("x-series")
	if got := x.ShopCount(3); got != "3 outlets" {
		t.Errorf("ShopCount(3) = %q", got)
	}
	if got := x.ShopCount(1); got != "1 outlet" {
		t.Errorf("ShopCount(1) = %q", got)
	}
	o, _ := ProductByID("o-series")
	for _, n := range []int{0, 1, 2, 25} {
		if o.ShopCount(n) != SiteCount(n) {
			t.Errorf("O-Series says %q where the app said %q", o.ShopCount(n), SiteCount(n))
		}
	}
}

func TestUnknownProductIsOnePlainSentence(t *testing.T) {
	_, err := ProductByID("z-series")
	if !problem.Is(err, problem.KindUsage) {
		t.Fatalf("err = %v, want a usage problem", err)
	}
	msg := problem.Summary(err)
	for _, want := range []string{`"z-series"`, "o-series (Restaurant O-Series (formerly Kounta))", "k-series", "x-series (Retail X-Series (formerly Vend))", "r-series"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
}

// Both faces' lists count a company's shops in its product's words.
func TestSitesShownInTheProductsWords(t *testing.T) {
	x, _ := ProductByID("x-series")
	total := 4
	cs := CompanyStatus{Product: x, Sites: make([]Site, 3), SitesTotal: &total}
	if got := cs.SitesShown(); got != "3 of 4 outlets" {
		t.Errorf("SitesShown = %q", got)
	}
	cs.SitesTotal = nil
	if got := cs.SitesShown(); got != "3 outlets" {
		t.Errorf("SitesShown = %q", got)
	}
	if got := (CompanyStatus{Sites: make([]Site, 1)}).SitesShown(); got != "1 site" {
		t.Errorf("SitesShown without a product = %q", got)
	}
}
