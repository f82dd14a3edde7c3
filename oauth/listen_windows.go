//go:build windows

package oauth

import (
	"errors"
	"syscall"
)

// Winsock's codes; syscall's EADDRINUSE on Windows is an invented value that never matches.
const (
	wsaeAddrInUse syscall.Errno = 10048
	wsaeAccess    syscall.Errno = 10013 // also for ports Windows reserved (Hyper-V, WinNAT)
)

// isAddrInUse reports whether a bind failed because another program holds the port.
func isAddrInUse(err error) bool { return errors.Is(err, wsaeAddrInUse) }

// isAddrForbidden reports whether a bind failed because Windows reserved or forbade the port.
func isAddrForbidden(err error) bool { return errors.Is(err, wsaeAccess) }
