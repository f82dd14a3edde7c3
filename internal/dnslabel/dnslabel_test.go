package dnslabel

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for _, good := range []string{"a", "harbourgoods", "Bondi-Bean", "x1", "0abc", strings.Repeat("a", 63)} {
		if !Valid(good) {
			t.Errorf("%q refused", good)
		}
	}
	for _, bad := range []string{"", "-a", "a-", "a.b", "a/b", "a b", "a_b", "a@b", "a:80", "ä", "a%2e", strings.Repeat("a", 64), "a\x00"} {
		if Valid(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
