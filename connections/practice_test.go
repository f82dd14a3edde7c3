package connections

import (
	"strings"
	"testing"
)

// TestStartPracticeNamesItsProduct: "Practice with a demo company" practises the product
// picked: the practice Settings name it (O-Series as "", exactly as before products), and
// point at that product's addresses on the practice server.
func TestStartPracticeNamesItsProduct(t *testing.T) {
	for _, id := range []string{"", "o-series", "k-series", "x-series", "r-series"} {
		product, err := ParsePracticeProduct(id)
		if err != nil {
			t.Fatal(err)
		}
		p, err := StartPractice(PracticeConfig{Product: product})
		if err != nil {
			t.Fatal(err)
		}
		want := id
		if id == "o-series" {
			want = ""
		}
		s := p.Settings
		if s.Product != want || !s.Practice || s.AuthorizeURL != p.Server.Info().AuthorizeURL || s.TokenURL != p.Server.Info().TokenURL {
			t.Errorf("%q: Settings %v, token address %s", id, s, s.TokenURL)
		}
		if id == "x-series" && !strings.Contains(s.TokenURL, "{domain_prefix}") {
			t.Errorf("x-series: the token address %s is not per store", s.TokenURL)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: the practice Settings are not valid: %v", id, err)
		}
		_ = p.Close()
	}
	if _, err := ParsePracticeProduct("vend"); err == nil {
		t.Error("an unknown practice product was accepted")
	}
}
