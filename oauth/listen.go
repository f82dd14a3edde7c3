package oauth

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// Server limits for the catcher: it serves one person's browser for a few minutes.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = requestTimeout + 30*time.Second // the success page waits for the exchange
	idleTimeout       = 30 * time.Second
	maxHeaderBytes    = 16 << 10
)

// listen binds every loopback address of the Redirect URI and starts serving. For localhost,
// [::1] is skipped when this computer has no IPv6 loopback, but not when another program
// holds it: the browser might reach that program instead.
func (s *Session) listen(ctx context.Context) error {
	var lc net.ListenConfig
	addrs := s.redirect.ListenAddrs
	for _, addr := range addrs {
		network := "tcp4"
		if strings.HasPrefix(addr, "[") {
			network = "tcp6"
		}
		ln, err := lc.Listen(ctx, network, addr)
		if err != nil {
			if network == "tcp6" && len(addrs) > 1 && !isAddrInUse(err) {
				continue
			}
			for _, l := range s.listeners {
				_ = l.Close()
			}
			s.listeners = nil
			return s.listenError(err, network, len(addrs) == 1)
		}
		s.listeners = append(s.listeners, ln)
	}
	for _, ln := range s.listeners {
		srv := s.newServer()
		s.servers = append(s.servers, srv)
		go func() { _ = srv.Serve(ln) }()
	}
	return nil
}

// newServer is an http.Server with every timeout set and its log silenced.
func (s *Session) newServer() *http.Server {
	return &http.Server{
		Handler:           catcher{s},
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
}

// listenError explains a failed bind in plain words (docs/ux.md).
func (s *Session) listenError(err error, network string, only bool) error {
	port := s.redirect.port
	detail := fmt.Sprintf("listen %s: %s", network, safeText(err.Error(), 200))
	switch {
	case isAddrInUse(err):
		return problem.New(problem.KindPortInUse, fmt.Sprintf(msgPortInUse, port), err).WithDetail("%s", detail)
	case isAddrForbidden(err):
		return problem.New(problem.KindPortInUse, fmt.Sprintf(msgPortForbidden, port), err).WithDetail("%s", detail)
	case network == "tcp6" && only:
		return problem.New(problem.KindRedirectURI, fmt.Sprintf(msgNoIPv6, port, s.redirect.path), err).WithDetail("%s", detail)
	}
	return problem.New(problem.KindPortInUse, fmt.Sprintf(msgPortInUse, port), err).WithDetail("%s", detail)
}
