// Package autostart turns "start Lightspeed Connect in the system tray when I sign in" on and
// off for the person signed in: an XDG autostart entry on Linux and the BSDs, a LaunchAgent on
// macOS, a Run registry value on Windows. Each starts the given program with --background.
// docs/autostart.md says how to do the same by hand.
package autostart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/assets"
)

// BackgroundFlag is the argument that starts the app hidden in the tray.
const BackgroundFlag = "--background"

// label names the autostart entry where a name is needed: the LaunchAgent's label, the Run
// value's name and the desktop entry's file name.
const (
	launchAgentLabel = "app.lightspeedconnect.connect"
	runValueName     = "Lightspeed Connect"
	desktopFileName  = "lightspeed-connect.desktop"
)

// desktopEntry is the shipped XDG autostart entry with Exec pointing at exe, quoted as the
// Desktop Entry Specification asks, so it works wherever the program is and whatever its
// path holds.
func desktopEntry(exe string) []byte {
	var out bytes.Buffer
	for _, line := range strings.SplitAfter(string(assets.AutostartDesktop), "\n") {
		switch {
		case strings.HasPrefix(line, "Exec="):
			line = "Exec=" + desktopQuote(exe) + " " + BackgroundFlag + "\n"
		case strings.HasPrefix(line, "TryExec="):
			line = "TryExec=" + desktopEscape(exe) + "\n"
		}
		out.WriteString(line)
	}
	return out.Bytes()
}

// desktopQuote quotes one Exec argument: inside double quotes, `"`, "`", "$" and "\" take a
// backslash; then, as for every string value, each backslash is doubled, and "%" becomes "%%"
// (field codes).
func desktopQuote(arg string) string {
	var q strings.Builder
	q.WriteByte('"')
	for _, r := range arg {
		if strings.ContainsRune("\"`$\\", r) {
			q.WriteByte('\\')
		}
		q.WriteRune(r)
	}
	q.WriteByte('"')
	return strings.ReplaceAll(desktopEscape(q.String()), "%", "%%")
}

// desktopEscape escapes a string value: backslash, newline, tab and carriage return.
func desktopEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s)
}

// launchAgent is the macOS LaunchAgent property list that starts exe with --background at
// login.
func launchAgent(exe string) []byte {
	var b bytes.Buffer
	esc := func(s string) string {
		var e bytes.Buffer
		_ = xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>%s</string>
	<key>ProgramArguments</key>
	<array>
		<string>%s</string>
		<string>%s</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`, esc(launchAgentLabel), esc(exe), esc(BackgroundFlag))
	return b.Bytes()
}

// runValue is the Windows Run value: the quoted program and the flag.
func runValue(exe string) string { return `"` + exe + `" ` + BackgroundFlag }
