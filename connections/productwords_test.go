package connections

import (
	"slices"
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
