// Package englishlocale asks for English when the system's locale is the POSIX one ("C",
// "C.UTF-8", "POSIX" or unset), because Fyne logs an error while it initialises under those
// names, and the app's words are English anyway.
//
// Import it for its side effect from package main only, before anything else:
//
//	import _ "github.com/lightspeedconnect/lightspeed-connect/internal/englishlocale"
//
// Fyne reads the locale while its own packages initialise, before main runs. This package
// imports only the standard library, and Go initialises packages in import-path order as soon
// as their imports are ready (the language spec, since Go 1.21), so it runs before Fyne's lang
// package, which waits for golang.org/x/text and github.com/nicksnyder/go-i18n. A test of the
// built binary guards this.
package englishlocale

import (
	"os"
	"strings"
)

func init() { Prepare() }

// Prepare clears LC_ALL and LC_MESSAGES when they name the POSIX locale and sets LANG to
// en_US.UTF-8 when it does, leaving any real language choice alone.
func Prepare() {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES"} {
		if value, set := os.LookupEnv(name); set && isPOSIX(value) {
			_ = os.Unsetenv(name)
		}
	}
	if isPOSIX(os.Getenv("LANG")) {
		_ = os.Setenv("LANG", "en_US.UTF-8")
	}
}

func isPOSIX(value string) bool {
	base, _, _ := strings.Cut(value, ".")
	return base == "" || base == "C" || base == "POSIX"
}
