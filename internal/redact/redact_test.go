package redact

import "testing"

func TestFingerprint(t *testing.T) {
	if got := Fingerprint(""); got != "missing" {
		t.Errorf("Fingerprint(\"\") = %q", got)
	}
	// The SHA-256 of "abc" is ba7816bf… (FIPS 180-2, appendix B.1).
	if got := Fingerprint("abc"); got != "sha256:ba7816bf" {
		t.Errorf("Fingerprint(abc) = %q", got)
	}
}
