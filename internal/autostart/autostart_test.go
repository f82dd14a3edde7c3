package autostart

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awkwardDirs are program folders whose names need the Desktop Entry quoting rules.
var awkwardDirs = []string{
	"plain",
	"with space",
	`quote " backtick ` + "`" + ` dollar $HOME`,
	`back\slash`,
	`100% sure`,
}

// glibCannotLaunch: GLib looks for the program before it expands field codes, so it cannot
// start a program whose path holds "%"; the entry is still checked by desktop-file-validate.
const glibCannotLaunch = "%"

// TestDesktopEntryLaunches writes the entry for a program in each awkward folder and has GLib
// (`gio launch`, what GNOME uses to start autostart entries) launch it: the program must run
// with exactly --background. desktop-file-validate judges each entry too.
func TestDesktopEntryLaunches(t *testing.T) {
	gio, err := exec.LookPath("gio")
	if err != nil {
		t.Skip("gio (GLib) is not installed: nothing here can launch a desktop entry")
	}
	validator, _ := exec.LookPath("desktop-file-validate")
	for _, dir := range awkwardDirs {
		t.Run(dir, func(t *testing.T) {
			root := t.TempDir()
			programDir := filepath.Join(root, dir)
			if err := os.MkdirAll(programDir, 0o755); err != nil {
				t.Fatal(err)
			}
			program := filepath.Join(programDir, "lightspeed-connect")
			argsFile := filepath.Join(root, "args")
			script := "#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" > '" + argsFile + "'\n"
			if err := os.WriteFile(program, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			entryFile := filepath.Join(root, "lightspeed-connect.desktop")
			if err := os.WriteFile(entryFile, desktopEntry(program), 0o644); err != nil {
				t.Fatal(err)
			}
			if validator != "" {
				if out, err := exec.Command(validator, entryFile).CombinedOutput(); err != nil || len(out) > 0 {
					t.Errorf("desktop-file-validate: %v\n%s", err, out)
				}
			}
			if strings.Contains(dir, glibCannotLaunch) {
				return
			}
			if out, err := exec.Command(gio, "launch", entryFile).CombinedOutput(); err != nil {
				t.Fatalf("gio launch: %v\n%s\nentry:\n%s", err, out, desktopEntry(program))
			}
			var got []byte
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if got, err = os.ReadFile(argsFile); err == nil && strings.Count(string(got), "\n") >= 2 {
					break
				}
			}
			want := program + "\n" + BackgroundFlag + "\n"
			if string(got) != want {
				t.Errorf("launched as %q, want %q\nentry:\n%s", got, want, desktopEntry(program))
			}
		})
	}
}

// TestLaunchAgent: the property list is well-formed XML (Go's parser) with the program and the
// flag as two arguments, whatever the path holds.
func TestLaunchAgent(t *testing.T) {
	for _, dir := range awkwardDirs {
		exe := "/Applications/" + dir + "/Lightspeed Connect.app/Contents/MacOS/lightspeed-connect <&>"
		var plist struct {
			Dict struct {
				Keys    []string `xml:"key"`
				Strings []string `xml:"string"`
				Array   struct {
					Strings []string `xml:"string"`
				} `xml:"array"`
				True *struct{} `xml:"true"`
			} `xml:"dict"`
		}
		d := xml.NewDecoder(strings.NewReader(string(launchAgent(exe))))
		d.Strict = true
		if err := d.Decode(&plist); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if got := plist.Dict.Array.Strings; len(got) != 2 || got[0] != exe || got[1] != BackgroundFlag {
			t.Errorf("%s: ProgramArguments %q", dir, got)
		}
		if strings.Join(plist.Dict.Keys, ",") != "Label,ProgramArguments,RunAtLoad,ProcessType" || plist.Dict.True == nil {
			t.Errorf("%s: keys %q", dir, plist.Dict.Keys)
		}
	}
}

// TestRunValue: Windows splits the command line at spaces outside quotes.
func TestRunValue(t *testing.T) {
	if got, want := runValue(`C:\Program Files\Lightspeed Connect\lightspeed-connect.exe`), `"C:\Program Files\Lightspeed Connect\lightspeed-connect.exe" --background`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
