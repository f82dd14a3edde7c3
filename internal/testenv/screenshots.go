package testenv

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// ScreenshotsVar names the directory pictures of the window are saved into. `make
// screenshots` sets it to docs/screenshots; unset, no picture is saved.
const ScreenshotsVar = "LSC_SCREENSHOTS_DIR"

// ScreenshotsDir returns the directory of ScreenshotsVar, made if needed, or "" when the
// variable is unset.
func ScreenshotsDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv(ScreenshotsVar)
	if dir == "" {
		return ""
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// SavePNG saves img as name (a file name such as "welcome.png") in ScreenshotsDir; it does
// nothing when ScreenshotsVar is unset.
func SavePNG(tb testing.TB, name string, img image.Image) {
	tb.Helper()
	dir := ScreenshotsDir(tb)
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		tb.Fatal(err)
	}
}
