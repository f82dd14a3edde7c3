package connections

import (
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// TestAdvancedSettingsRoundTrip: every setting reads back what it was set to, refuses a value
// out of its bounds with a sentence that gives them, and has the words both faces show.
func TestAdvancedSettingsRoundTrip(t *testing.T) {
	for _, st := range AdvancedSettings() {
		if st.Key == "" || st.Label == "" || st.About == "" || !strings.HasSuffix(st.When, ".") {
			t.Errorf("%q lacks its names or its sentences: %+v", st.Key, st)
		}
		if got := st.Value(Settings{}); got != st.Default {
			t.Errorf("%s with nothing saved is %d, want the default %d", st.Key, got, st.Default)
		}
		for _, v := range []int{st.Min, st.Max, st.Default} {
			var s Settings
			if err := st.Set(&s, v); err != nil || st.Value(s) != v {
				t.Errorf("%s set to %d reads back %d (%v)", st.Key, v, st.Value(s), err)
			}
			if err := s.validateAdvanced(); err != nil {
				t.Errorf("%s = %d is refused by Validate: %v", st.Key, v, err)
			}
		}
		for _, v := range []int{st.Min - 1, st.Max + 1} {
			s := Settings{}
			err := st.Set(&s, v)
			if !problem.Is(err, problem.KindUsage) || !strings.Contains(problem.Summary(err), st.Label) {
				t.Errorf("%s = %d: %v, want a usage sentence naming %s", st.Key, v, err, st.Label)
			}
			if st.Value(s) != st.Default {
				t.Errorf("%s = %d was set anyway", st.Key, v)
			}
		}
	}
}

// TestSettingValuesLine: the line both faces show says every setting's value in words.
func TestSettingValuesLine(t *testing.T) {
	s := Settings{RequestsPerMinute: 60, NoPKCE: true}
	if got, want := AdvancedValues(s).Line(), "API pace: 60 requests a minute · PKCE: off"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	if got, want := AdvancedValues(Settings{}).Line(), "API pace: 120 requests a minute (the default) · PKCE: on (the default)"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	var pace Setting
	for _, st := range AdvancedSettings() {
		if st.Key == "requests_per_minute" {
			pace = st
		}
	}
	if _, err := pace.Parse(" 6x "); !problem.Is(err, problem.KindUsage) {
		t.Errorf("a pace of 6x: %v", err)
	}
	if v, err := pace.Parse(" 60 "); err != nil || v != 60 {
		t.Errorf("a pace of \" 60 \": %d, %v", v, err)
	}
}
