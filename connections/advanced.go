package connections

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// The integration's advanced settings, written once. Each face renders this list and nothing
// else: the command line makes a flag of each (a number's flag is its key with dashes; a switch
// that is on by default gets a "no-" flag that turns it off), prints each under the `status`
// table and in `status --json`; the window makes a row of each in the details' Advanced part
// and a line in a company's pane. A setting added here appears in all of them.

// SettingKind is how a setting is given: a whole number or a switch.
type SettingKind int

const (
	// SettingNumber is a whole number between Min and Max.
	SettingNumber SettingKind = iota
	// SettingSwitch is on (1) or off (0).
	SettingSwitch
)

// A Setting is one of the integration's advanced settings: its names, bounds, default and the
// sentence that says when to change it.
type Setting struct {
	// Key names the setting in `status --json` and, with dashes, the command line's flag:
	// lower case words joined by "_".
	Key string
	// Label is the setting's name for people: "API pace".
	Label string
	// Kind is a number or a switch.
	Kind SettingKind
	// Min and Max bound a number (a switch is 0 or 1).
	Min, Max int
	// Default is the value when none is saved (a switch: 1 is on).
	Default int
	// Unit follows a number: "requests a minute".
	Unit string
	// About says in a few words what the setting does; When says in one sentence when to
	// change it. Both faces show them as written.
	About, When string

	get func(Settings) int
	set func(*Settings, int)
}

// AdvancedSettings are the integration's advanced settings, in the order both faces show them.
func AdvancedSettings() []Setting { return advancedSettings }

var advancedSettings = []Setting{
	{
		Key: "requests_per_minute", Label: "API pace", Kind: SettingNumber,
		Min: 1, Max: MaxRequestsPerMinute, Default: DefaultRequestsPerMinute, Unit: "requests a minute",
		About: "How many API requests the app sends for each company in a minute, below the integration's limit at Lightspeed.",
		When:  "Lower it to 60 if your integration is a basic one.",
		get: func(s Settings) int {
			if s.RequestsPerMinute == 0 {
				return s.defaultPace()
			}
			return s.RequestsPerMinute
		},
		set: func(s *Settings, v int) {
			if v == s.defaultPace() {
				v = 0 // saved as "the app's default", which follows the app
			}
			s.RequestsPerMinute = v
		},
	},
	{
		Key: "pkce", Label: "PKCE", Kind: SettingSwitch, Min: 0, Max: 1, Default: 1,
		About: "Adds a one-time code_challenge to the sign-in, so a stolen code is of no use to anyone else.",
		When:  "Turn off only if Lightspeed refuses the sign-in with a message about code_challenge.",
		get: func(s Settings) int {
			if s.NoPKCE {
				return 0
			}
			return 1
		},
		set: func(s *Settings, v int) { s.NoPKCE = v == 0 },
	},
}

// Value is the setting's value in s: the default when s names none.
func (st Setting) Value(s Settings) int { return st.get(s) }

// On is a switch's value in s.
func (st Setting) On(s Settings) bool { return st.get(s) != 0 }

// Set puts v into s after checking it against the bounds; the error is a plain sentence.
func (st Setting) Set(s *Settings, v int) error {
	if err := st.Check(v); err != nil {
		return err
	}
	st.set(s, v)
	return nil
}

// Check refuses a value out of bounds with a plain sentence that gives them.
func (st Setting) Check(v int) error {
	if v >= st.Min && v <= st.Max {
		return nil
	}
	if st.Kind == SettingSwitch {
		return problem.New(problem.KindUsage, fmt.Sprintf("%s is either on or off.", st.Label), nil)
	}
	return problem.New(problem.KindUsage, fmt.Sprintf("The %s must be between %d and %d %s; %d is not.",
		st.Label, st.Min, st.Max, st.Unit, v), nil)
}

// Parse reads a number as typed (white space around it is fine) and checks it.
func (st Setting) Parse(text string) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		return 0, problem.New(problem.KindUsage, fmt.Sprintf("The %s must be a whole number between %d and %d %s.",
			st.Label, st.Min, st.Max, st.Unit), nil)
	}
	return v, st.Check(v)
}

// Text is a value in words: "120 requests a minute (the default)", "On", "Off (not the default)".
func (st Setting) Text(v int) string {
	var text string
	switch {
	case st.Kind == SettingSwitch && v != 0:
		text = "on"
	case st.Kind == SettingSwitch:
		text = "off"
	default:
		text = strconv.Itoa(v) + " " + st.Unit
	}
	if v == st.Default {
		return text + " (the default)"
	}
	return text
}

// JSONValue is a value as `status --json` gives it: a number, or true/false for a switch.
func (st Setting) JSONValue(v int) any {
	if st.Kind == SettingSwitch {
		return v != 0
	}
	return v
}

// SettingValues are the advanced settings in effect, by key, as `status --json` gives them
// for each company: {"pkce": true, "requests_per_minute": 120}.
type SettingValues map[string]any

// Line is every setting in one line both faces show: "API pace: 120 requests a minute (the
// default) · PKCE: on (the default)"; "" when there are none.
func (v SettingValues) Line() string {
	parts := make([]string, 0, len(advancedSettings))
	for _, st := range advancedSettings {
		n, ok := 0, true
		switch x := v[st.Key].(type) {
		case bool:
			if x {
				n = 1
			}
		case int:
			n = x
		default:
			ok = false
		}
		if ok {
			parts = append(parts, st.Label+": "+st.Text(n))
		}
	}
	return strings.Join(parts, " · ")
}

// AdvancedValues are s's advanced settings in effect, by key.
func AdvancedValues(s Settings) SettingValues {
	out := make(SettingValues, len(advancedSettings))
	for _, st := range advancedSettings {
		out[st.Key] = st.JSONValue(st.Value(s))
	}
	return out
}
