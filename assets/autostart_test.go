package assets

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// autostartEntry is the desktop entry that starts the app in the tray when a person signs in
// on Linux (copied into ~/.config/autostart; see docs/autostart.md).
const autostartEntry = "autostart/lightspeed-connect.desktop"

// TestAutostartEntry checks the entry's keys the app depends on, and has the reference
// validator of the Desktop Entry Specification (desktop-file-validate, from desktop-file-utils)
// judge the whole file when it is installed.
func TestAutostartEntry(t *testing.T) {
	f, err := os.Open(autostartEntry)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string]string{}
	group := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			group = line
		case group == "[Desktop Entry]":
			k, v, _ := strings.Cut(line, "=")
			keys[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Type":     "Application",
		"Name":     "Lightspeed Connect",
		"Exec":     "lightspeed-connect --background",
		"Terminal": "false",
		// GNOME's session manager skips entries where this is false.
		"X-GNOME-Autostart-enabled": "true",
	}
	for k, v := range want {
		if keys[k] != v {
			t.Errorf("%s=%q, want %q", k, keys[k], v)
		}
	}
	for _, k := range []string{"Hidden", "NoDisplay", "OnlyShowIn", "NotShowIn"} {
		if _, ok := keys[k]; ok {
			t.Errorf("%s is set: some desktops would not start the entry", k)
		}
	}

	validator, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		t.Skip("desktop-file-validate is not installed (package desktop-file-utils): the keys were checked, the whole file was not")
	}
	out, err := exec.Command(validator, autostartEntry).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("desktop-file-validate: %v\n%s", err, out)
	}
}
