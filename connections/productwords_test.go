package connections

import (
	"slices"
	"testing"
)

// TestProductWordsForTheWizard: the Connected screen's list and the consent steps speak the
// product's words, and O-Series says exactly what the app always said.
func TestProductWordsForTheWizard(t *testing.T) {
	sites := []Site{{ID: 1, Name: "Queen St"}, {ID: 2, Name: "Ponsonby"}}
	x, _ := ProductByID("x-series")
	if got := x.SitesLine(sites); got != "Outlets: Queen St · Ponsonby" {
		t.Errorf("X-Series SitesLine = %q", got)
	}
	if got := x.SitesLine(nil); got != "No outlets yet." {
		t.Errorf("X-Series SitesLine(nil) = %q", got)
	}
	if got := x.ConsentSteps()[1]; got != "Choose your store, then click Grant Access." {
		t.Errorf("X-Series consent step = %q", got)
	}
	k, _ := ProductByID("k-series")
	if got := k.SitesLine(sites[:1]); got != "Locations: Queen St" {
		t.Errorf("K-Series SitesLine = %q", got)
	}
	o, _ := ProductByID("o-series")
	for _, p := range []Product{o, {}} {
		if p.SitesLine(sites) != SitesLine(sites) || p.SitesLine(nil) != SitesLine(nil) {
			t.Errorf("%q: SitesLine differs from the app's: %q", p.ID, p.SitesLine(sites))
		}
		if !slices.Equal(p.ConsentSteps(), ConsentSteps()) {
			t.Errorf("%q: consent steps differ: %q", p.ID, p.ConsentSteps())
		}
	}
	if ConsentSteps()[1] != "Choose your company, then click Grant Access." {
		t.Error("ConsentSteps was changed by a product's steps")
	}
}
