//go:build !windows

package oauth

import (
	"errors"
	"syscall"
)

// isAddrInUse reports whether a bind failed because another program holds the port.
func isAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }

// isAddrForbidden reports whether a bind failed for lack of rights (ports below 1024).
func isAddrForbidden(err error) bool {
	return errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM)
}
