// Package dnslabel tells whether a name can stand as one label of a host name. A value that
// arrives from outside (X-Series' domain_prefix, in a browser's address bar) and is put into
// an address is checked with it first, so it can neither change the host nor reach the path.
package dnslabel

// Valid reports whether s is one DNS label: 1 to 63 ASCII letters, digits and hyphens, not
// starting or ending with a hyphen (RFC 1123 §2.1).
func Valid(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
