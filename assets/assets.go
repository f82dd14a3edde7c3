// Package assets holds the app's embedded resources: the icon, and the app's identity read
// from FyneApp.toml, the one place where its name, ID and version are declared.
package assets

import (
	_ "embed"
)

// Icon is the app's icon as PNG bytes (512×512).
//
//go:embed icon.png
var Icon []byte
