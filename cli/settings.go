package cli

import (
	"flag"
	"fmt"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// The command line's face of the integration's advanced settings (connections.AdvancedSettings):
// a flag for each, and a line under the `status` table. Nothing here names a setting: a new
// one in the core gets its flag, its help and its status line from the list.

// settingFlag is one advanced setting's flag of `connect`.
type settingFlag struct {
	setting connections.Setting
	name    string
	number  int
	on      bool // a switch's flag was given true
	given   bool
}

// flagName is a setting's flag: its key with dashes; a switch that is on by default is
// given by the flag that turns it off ("no-pkce").
func flagName(st connections.Setting) string {
	name := strings.ReplaceAll(st.Key, "_", "-")
	if st.Kind == connections.SettingSwitch && st.Default != 0 {
		return "no-" + name
	}
	return name
}

// settingFlags defines a flag on fs for every advanced setting, with the core's words.
func settingFlags(fs *flag.FlagSet) []settingFlag {
	all := connections.AdvancedSettings()
	out := make([]settingFlag, len(all))
	for i, st := range all {
		f := &out[i]
		f.setting, f.name = st, flagName(st)
		if st.Kind == connections.SettingSwitch {
			turn, back := "off", "false"
			if st.Default == 0 {
				turn, back = "on", "true"
			}
			fs.BoolVar(&f.on, f.name, false, fmt.Sprintf("turn %s %s. %s %s (saved for next time; --%s=%s goes back to the default)",
				st.Label, turn, st.About, st.When, f.name, back))
			continue
		}
		fs.IntVar(&f.number, f.name, 0, fmt.Sprintf("%s, in %s. %s %s (saved for next time; %d to %d, default %d; 0 goes back to the default)",
			st.Label, st.Unit, st.About, st.When, st.Min, st.Max, st.Default))
	}
	return out
}

// settingsSynopsis is the advanced settings' part of `connect`'s usage line.
func settingsSynopsis() string {
	var parts []string
	for _, st := range connections.AdvancedSettings() {
		if st.Kind == connections.SettingSwitch {
			parts = append(parts, "[--"+flagName(st)+"]")
		} else {
			parts = append(parts, "[--"+flagName(st)+" N]")
		}
	}
	return strings.Join(parts, " ")
}

// markGiven notes which setting flags were given, after parsing.
func markGiven(fs *flag.FlagSet, flags []settingFlag) {
	fs.Visit(func(f *flag.Flag) {
		for i := range flags {
			if flags[i].name == f.Name {
				flags[i].given = true
			}
		}
	})
}

func settingsGiven(flags []settingFlag) bool {
	for _, f := range flags {
		if f.given {
			return true
		}
	}
	return false
}

// applySettingFlags puts the given flags into s; a value out of bounds is refused with the
// core's sentence.
func applySettingFlags(s *connections.Settings, flags []settingFlag) error {
	for _, f := range flags {
		if !f.given {
			continue
		}
		st := f.setting
		v := f.number
		if st.Kind == connections.SettingSwitch {
			v = st.Default
			if f.on {
				v = 1 - st.Default
			}
		} else if v == 0 {
			v = st.Default
		}
		if err := st.Set(s, v); err != nil {
			return usageError("--%s: %s", f.name, problem.Summary(err))
		}
	}
	return nil
}

// printSettings prints, under the `status` table, the advanced settings the companies are
// used with: they are their integration's, so one line when every company's are the same,
// else one line per product ("X-Series: API pace: …"); nothing when none is connected.
func printSettings(env *Env, statuses []connections.CompanyStatus) {
	var products []connections.Product
	lines := map[string]string{}
	for _, cs := range statuses {
		if _, seen := lines[cs.Product.ID]; !seen {
			products = append(products, cs.Product)
			lines[cs.Product.ID] = cs.Settings.Line()
		}
	}
	distinct := map[string]bool{}
	for _, line := range lines {
		distinct[line] = true
	}
	for _, p := range products {
		line := lines[p.ID]
		switch {
		case line == "":
		case len(distinct) == 1:
			fmt.Fprintf(env.Stdout, "\n%s\n", line)
			return
		default:
			fmt.Fprintf(env.Stdout, "\n%s: %s", p.ShortName, line)
		}
	}
	if len(distinct) > 1 {
		fmt.Fprintln(env.Stdout)
	}
}
