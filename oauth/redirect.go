package oauth

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// SuggestedRedirectURI is the Redirect URI the app proposes for a new integration: loopback,
// plain http, a fixed port outside every operating system's range of random ports.
const SuggestedRedirectURI = "http://127.0.0.1:8765/callback"

// windowsDynamicPorts is where Windows hands out ports to programs at random.
const windowsDynamicPortsFirst = 49152

// Sentences for a Redirect URI that cannot be used as written; each says what to register instead.
const (
	msgRedirectEmpty     = "Enter the Redirect URI registered for the integration in Lightspeed, for example " + SuggestedRedirectURI + "."
	msgRedirectGarbage   = "This isn't a web address. Enter the Redirect URI exactly as registered in Lightspeed, for example " + SuggestedRedirectURI + "."
	msgRedirectScheme    = "The Redirect URI must start with http:// or https://. Register " + SuggestedRedirectURI + " in Lightspeed and enter it here."
	msgRedirectUserinfo  = "Remove the name or password before the host (the part up to @). Register an address such as " + SuggestedRedirectURI + " instead."
	msgRedirectFragment  = "Remove the part from # on: browsers never pass it back to the app. Register an address such as " + SuggestedRedirectURI + "."
	msgRedirectQuery     = "Remove the part from ? on: Lightspeed adds its own answer there. Register an address such as " + SuggestedRedirectURI + "."
	msgRedirectNoHost    = "Add a host, for example " + SuggestedRedirectURI + "."
	msgRedirectHTTPS     = "Use http:// here: the app catches the answer on this computer, without a certificate."
	msgRedirectNoPort    = "Add a port, for example " + SuggestedRedirectURI + "."
	msgRedirectDotPath   = "Remove /./ and /../ from the path; browsers rewrite them. Register an address such as " + SuggestedRedirectURI + "."
	msgRedirectUnspec    = "Use 127.0.0.1 instead of an \"any address\" host, for example " + SuggestedRedirectURI + "."
	msgRedirectLoopback  = "Use 127.0.0.1, [::1] or localhost as the host: other loopback addresses don't work on every computer. For example " + SuggestedRedirectURI + "."
	msgRedirectNotCaught = "This is a web address on the internet; the app cannot catch it. You can still go on: you will paste the address your browser ends on."
	msgRedirectPlainHTTP = "A Redirect URI on the internet must start with https://, or the approval would travel unencrypted. Register an https:// address, or " + SuggestedRedirectURI + " so the app catches the answer itself."
)

// RedirectURI is a checked Redirect URI: whether the app can catch the browser's answer
// itself and, if so, where to listen.
type RedirectURI struct {
	// raw is the trimmed URI, sent to the provider exactly like this (it must match the
	// registered one character for character).
	raw string
	// catchable is true for http:// on 127.0.0.1, [::1] or localhost with an explicit port.
	catchable bool
	// host is the host as written, lower-cased, without brackets ("127.0.0.1", "::1", "localhost").
	host string
	// HostPort is the Host header a browser sends for this URI ("127.0.0.1:8765", "[::1]:8765").
	HostPort string
	// port is the explicit port; 0 when the URI is not catchable and names none.
	port int
	// path is the path the answer arrives on; "/" when the URI has none.
	path string
	// ListenAddrs are the loopback addresses to listen on: both 127.0.0.1 and [::1] for
	// localhost, since a browser may pick either.
	ListenAddrs []string
	// Message explains, for a URI that is usable but not catchable, that the person will paste
	// the address the browser ends on. Empty for catchable URIs.
	Message string
	// Warning is an optional caution about a usable URI, such as a port that Windows may give
	// to another program at random.
	Warning string
}

// Catchable reports whether the app can catch the browser's answer itself: http:// on
// 127.0.0.1, [::1] or localhost with an explicit port. Otherwise the person pastes the address
// the browser ends on.
func (r RedirectURI) Catchable() bool { return r.catchable }

// redirectError is the *problem.Error for a Redirect URI that cannot be used as written.
func redirectError(summary string) error {
	return problem.New(problem.KindRedirectURI, summary, nil)
}

// CheckRedirectURI checks a Redirect URI before anything opens. A Redirect URI is https, or
// plain http to this computer (loopback). A URI that the app can catch (http on loopback with
// a port) comes back Catchable; an https web address, which it cannot catch, comes back with
// Catchable false and a Message (the person will paste the address instead). Every other mistake is a
// *problem.Error of kind KindRedirectURI whose sentence says what to register instead.
//
// An empty path is accepted and caught on "/", because a URI such as http://127.0.0.1:8765 may
// already be registered in Lightspeed and works as written.
func CheckRedirectURI(raw string) (RedirectURI, error) {
	raw = strings.TrimSpace(raw)
	u, err := parseRedirect(raw)
	if err != nil {
		return RedirectURI{}, err
	}
	host := strings.ToLower(u.Hostname())
	r := RedirectURI{raw: raw, host: host, HostPort: strings.ToLower(u.Host), path: u.Path}
	if r.path == "" {
		r.path = "/"
	}
	kind, err := classifyHost(host)
	if err != nil {
		return RedirectURI{}, err
	}
	if kind == hostPublic {
		if u.Scheme != "https" {
			return RedirectURI{}, redirectError(msgRedirectPlainHTTP)
		}
		r.Message = msgRedirectNotCaught
		r.port, _ = strconv.Atoi(u.Port())
		return r, nil
	}
	return loopbackRedirect(r, u, kind)
}

// parseRedirect parses raw and rejects what no Redirect URI may contain.
func parseRedirect(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, redirectError(msgRedirectEmpty)
	}
	if strings.ContainsAny(raw, " \t\r\n\x00") {
		return nil, redirectError(msgRedirectGarbage)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, redirectError(msgRedirectGarbage)
	case u.Scheme == "":
		return nil, redirectError(msgRedirectGarbage)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, redirectError(msgRedirectScheme)
	case u.Opaque != "":
		return nil, redirectError(msgRedirectGarbage)
	case u.User != nil:
		return nil, redirectError(msgRedirectUserinfo)
	case strings.Contains(raw, "#"):
		return nil, redirectError(msgRedirectFragment)
	case u.Host == "" || u.Hostname() == "":
		return nil, redirectError(msgRedirectNoHost)
	case u.RawQuery != "" || u.ForceQuery:
		return nil, redirectError(msgRedirectQuery)
	case hasDotSegment(u.EscapedPath()):
		return nil, redirectError(msgRedirectDotPath)
	}
	return u, nil
}

// hasDotSegment reports whether a path has a "." or ".." segment, which browsers rewrite.
func hasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		s := strings.ToLower(seg)
		if s == "." || s == ".." || s == "%2e" || s == "%2e%2e" || s == ".%2e" || s == "%2e." {
			return true
		}
	}
	return false
}

// hostKind sorts a Redirect URI's host.
type hostKind int

const (
	hostPublic hostKind = iota
	hostIPv4Loopback
	hostIPv6Loopback
	hostLocalhost
)

// classifyHost tells the catchable loopback hosts from the rest, and rejects hosts that look
// local but would not work everywhere.
func classifyHost(host string) (hostKind, error) {
	if host == "localhost" {
		return hostLocalhost, nil
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return hostPublic, nil // a name: a web address the browser will visit
	}
	switch {
	case addr == netip.AddrFrom4([4]byte{127, 0, 0, 1}):
		return hostIPv4Loopback, nil
	case addr == netip.IPv6Loopback():
		return hostIPv6Loopback, nil
	case addr.IsUnspecified():
		return 0, redirectError(msgRedirectUnspec)
	case addr.Unmap().IsLoopback() || addr.WithZone("").Unmap().IsLoopback():
		return 0, redirectError(msgRedirectLoopback)
	}
	return hostPublic, nil
}

// loopbackRedirect completes r for a loopback host: http only, an explicit valid port.
func loopbackRedirect(r RedirectURI, u *url.URL, kind hostKind) (RedirectURI, error) {
	if u.Scheme != "http" {
		return RedirectURI{}, redirectError(msgRedirectHTTPS)
	}
	if u.Port() == "" {
		return RedirectURI{}, redirectError(msgRedirectNoPort)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil || port < 1 || port > 65535 {
		return RedirectURI{}, redirectError(fmt.Sprintf(
			"Use a port from 1024 to 65535, for example %s.", SuggestedRedirectURI))
	}
	r.port, r.catchable = port, true
	p := strconv.Itoa(port)
	switch kind {
	case hostIPv4Loopback:
		r.ListenAddrs = []string{net.JoinHostPort("127.0.0.1", p)}
	case hostIPv6Loopback:
		r.ListenAddrs = []string{net.JoinHostPort("::1", p)}
	default:
		r.ListenAddrs = []string{net.JoinHostPort("127.0.0.1", p), net.JoinHostPort("::1", p)}
	}
	r.Warning = portWarning(port)
	return r, nil
}

// portWarning cautions about ports that work but may fail for reasons outside the app.
func portWarning(port int) string {
	switch {
	case port < 1024:
		return fmt.Sprintf("Port %d may need administrator rights on this computer. A port such as 8765 is safer; register it in Lightspeed if you can.", port)
	case port >= windowsDynamicPortsFirst:
		return fmt.Sprintf("Port %d is in the range Windows gives to programs at random, so another program may hold it at times. A port such as 8765 is safer; register it in Lightspeed if you can.", port)
	}
	return ""
}
