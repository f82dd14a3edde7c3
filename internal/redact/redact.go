// Package redact names secrets without revealing them, for reports and %v of values that hold
// one.
package redact

import (
	"crypto/sha256"
	"encoding/hex"
)

// Fingerprint names a secret without revealing it: the first 8 hex characters of its SHA-256,
// or "missing" for an empty one. Two fingerprints that match almost surely name one token,
// which is what support needs to tell a stale copy from the current one.
func Fingerprint(secret string) string {
	if secret == "" {
		return "missing"
	}
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:4])
}
