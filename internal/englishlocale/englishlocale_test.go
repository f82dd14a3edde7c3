package englishlocale

import (
	"os"
	"testing"
)

func TestPrepareAsksForEnglishOnlyForPOSIXLocales(t *testing.T) {
	cases := []struct {
		lcAll, lang  string
		wantLCAllSet bool
		wantLang     string
	}{
		{lcAll: "C.UTF-8", lang: "C", wantLCAllSet: false, wantLang: "en_US.UTF-8"},
		{lcAll: "", lang: "POSIX", wantLCAllSet: false, wantLang: "en_US.UTF-8"},
		{lcAll: "de_DE.UTF-8", lang: "C", wantLCAllSet: true, wantLang: "en_US.UTF-8"},
		{lcAll: "fr_FR.UTF-8", lang: "fr_FR.UTF-8", wantLCAllSet: true, wantLang: "fr_FR.UTF-8"},
	}
	for _, c := range cases {
		t.Setenv("LC_ALL", c.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.lang)
		Prepare()
		_, set := os.LookupEnv("LC_ALL")
		if set != c.wantLCAllSet || os.Getenv("LANG") != c.wantLang {
			t.Errorf("LC_ALL=%q LANG=%q: LC_ALL kept=%v LANG=%q; want kept=%v LANG=%q",
				c.lcAll, c.lang, set, os.Getenv("LANG"), c.wantLCAllSet, c.wantLang)
		}
	}
}
