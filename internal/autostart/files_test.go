//go:build !windows

package autostart

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The Run registry value of Windows is the current user's, not a temporary one's, so only the
// file-based ways are turned on and off in a test.

// TestEnableAndDisable turns starting at sign-in on and off in a temporary home.
func TestEnableAndDisable(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	exe := "/opt/Lightspeed Connect/lightspeed-connect"
	check := func(want bool) {
		t.Helper()
		if got, err := Enabled(); err != nil || got != want {
			t.Fatalf("Enabled() = %t, %v; want %t", got, err, want)
		}
	}
	check(false)
	if err := Disable(); err != nil {
		t.Fatalf("turning off what was never on: %v", err)
	}
	if err := Enable(exe); err != nil {
		t.Fatal(err)
	}
	check(true)
	path, content, _ := entry(exe)
	if got, err := os.ReadFile(path); err != nil || string(got) != string(content) {
		t.Errorf("the entry at %s is %q (%v), want %q", path, got, err, content)
	}
	if runtime.GOOS != "darwin" && !strings.HasPrefix(path, filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "autostart")) {
		t.Errorf("the entry is at %s, not in the XDG autostart folder", path)
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	check(false)
}
