package connections

import (
	"slices"
	"strings"
	"testing"
)

// TestProductWordsForTheWizard: the consent steps speak the product's words, and O-Series
// (and the zero Product) says exactly what the app always said.
func TestProductWordsForTheWizard(t *testing.T) {
	x, _ := ProductByID("x-series")
	if got := x.ConsentSteps()[1]; got != "Choose your store, then click Grant Access." {
		t.Errorf("X-Series consent step = %q", got)
	}
	o, _ := ProductByID("o-series")
	for _, p := range []Product{o, {}} {
		if !slices.Equal(p.ConsentSteps(), ConsentSteps()) {
			t.Errorf("%q: consent steps differ: %q", p.ID, p.ConsentSteps())
		}
	}
	if ConsentSteps()[1] != "Choose your company, then click Grant Access." {
		t.Error("ConsentSteps was changed by a product's steps")
	}
}

// TestRedirectMismatchHintPerProduct: only O-Series' sign-in is recorded to answer a
// mismatched Redirect URI with a 500, so only its hint names that page.
func TestRedirectMismatchHintPerProduct(t *testing.T) {
	for _, p := range append(Products(), Product{}) {
		got := p.RedirectMismatchHint()
		is500 := strings.Contains(got, "(500)")
		if want := p.ID == "" || p.ID == DefaultProductID; is500 != want {
			t.Errorf("%q: hint %q names the 500 page: %t, want %t", p.ID, got, is500, want)
		}
		if !strings.Contains(got, "Redirect URI") {
			t.Errorf("%q: hint %q doesn't say what to compare", p.ID, got)
		}
	}
}
