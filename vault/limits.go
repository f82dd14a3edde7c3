package vault

import (
	"encoding/base64"
	"errors"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// Keyring size limits, checked before writing so a person gets a plain answer instead of a
// keyring's own error (or, worse, a value silently cut short). Each is a little under what the
// platform allows:
//
//   - Windows: Credential Manager keeps at most 2,560 bytes of credential blob, and go-keyring
//     refuses service names of 512 bytes or more.
//   - macOS: the keychain entry (service + account + password) must stay under about 3,000
//     bytes, and go-keyring stores the password base64-encoded behind an 18-byte prefix, so the
//     encoded total is held to 2,800 bytes (about 2,000 bytes of raw value).
//   - Linux and the rest: the Secret Service has no hard limit but slows down with big values;
//     64 KiB is far above any token and far below trouble.
const (
	windowsMaxBlob       = 2560
	windowsMaxService    = 511
	darwinMaxEncoded     = 2800
	darwinEncodingPrefix = len("go-keyring-base64:")
	otherMaxValue        = 64 << 10
)

var errTooBig = errors.New("value exceeds the platform's keyring limit")

// checkSize reports KindKeyringTooBig when value would not fit under service and item on goos.
func checkSize(goos, service, item, value string) error {
	fits := true
	switch goos {
	case "windows":
		fits = len(value) <= windowsMaxBlob && len(service) <= windowsMaxService
	case "darwin":
		total := len(service) + len(item) + darwinEncodingPrefix + base64.StdEncoding.EncodedLen(len(value))
		fits = total <= darwinMaxEncoded
	default:
		fits = len(value) <= otherMaxValue
	}
	if fits {
		return nil
	}
	return tooBig(service, errTooBig).WithDetail("keyring item %q under service %q: %d bytes is over the %s limit",
		item, service, len(value), goos)
}

func tooBig(service string, cause error) *problem.Error {
	return problem.New(problem.KindKeyringTooBig,
		"A value is too large for this computer's keychain, so the app can't store it safely. Copy the diagnostics and send them to support.",
		cause).WithDetail("keyring value too big for service %q", service)
}

// keyringSentence says what went wrong with the keyring (what: "isn't available", "didn't
// answer in time") and how to fix it on goos, in the words of docs/ux.md.
func keyringSentence(goos, what string) string {
	const why = ", so the app can't store the connection safely. "
	switch goos {
	case "darwin":
		return "This Mac's keychain " + what + why +
			"Open Keychain Access, unlock the login keychain (and allow Lightspeed Connect if asked), then try again."
	case "windows":
		return "Windows Credential Manager " + what + why +
			"Sign in to Windows with your own account, make sure the Credential Manager service is running, then try again."
	default:
		return "This computer's keychain " + what + why +
			"On Linux, install or unlock GNOME Keyring (or KWallet), then try again."
	}
}
