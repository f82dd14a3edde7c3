package connections

import (
	"context"
	"fmt"
	"net"
	"path/filepath"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// PracticeConfig shapes the built-in practice server: its demo companies, its latency, its
// token lifetimes and the faults it can play. It is the practice server's own configuration,
// named here so the faces can set it without reaching for the practice package; its zero
// value is a well-behaved server with three demo companies.
type PracticeConfig = practice.Config

// PracticeProduct is the Lightspeed product the practice server plays
// (PracticeConfig.Product): O-Series (the zero value), K-Series, X-Series or R-Series.
type PracticeProduct = practice.Product

// ParsePracticeProduct reads a product's ID, as ProductByID does ("" is O-Series); an unknown
// one is a usage problem with ProductByID's sentence.
func ParsePracticeProduct(s string) (PracticeProduct, error) {
	if _, err := ProductByID(s); err != nil {
		return "", err
	}
	return practice.ParseProduct(s)
}

// PracticeRateLimitReply is how the practice server answers over its rate limit
// (PracticeConfig.RateLimitReply): with only X-Ratelimit-Reset in seconds ("reset") or as a
// Unix time ("epoch"), or bare ("bare"), as Lightspeed does.
type PracticeRateLimitReply = practice.RateLimitReply

// ParsePracticeRate reads a practice server rate limit such as "60/min" (also "60/minute",
// "60/m" or "60") as requests a minute; "0/min" means no limit.
func ParsePracticeRate(s string) (int, error) { return practice.ParsePerMinute(s) }

// ParsePracticeRateLimitReply reads "reset", "epoch" or "bare".
func ParsePracticeRateLimitReply(s string) (PracticeRateLimitReply, error) {
	return practice.ParseRateLimitReply(s)
}

// Practice is a practice session: the built-in practice server running on loopback, and the
// integration settings that point at it. Practice connections live in their own vault (see
// OpenPractice), so demo companies never mix with real ones.
type Practice struct {
	// Server is the running practice server. Tests use its knobs (revoking tokens, taking it
	// down) to play Lightspeed misbehaving.
	Server *practice.Server
	// Settings point at Server, with a free loopback Redirect URI registered there.
	Settings Settings
}

// StartPractice starts a practice server on 127.0.0.1 with cfg (its zero value is fine), and
// registers a Redirect URI on a free loopback port for the app to catch the answer on. The
// server plays cfg.Product (O-Series when unset), and the Settings name that product, so
// "Practice with a demo company" practises the product the person picked.
func StartPractice(cfg PracticeConfig) (*Practice, error) {
	redirect, err := freeLoopbackRedirect()
	if err != nil {
		return nil, err
	}
	cfg.RedirectURIs = append(cfg.RedirectURIs, redirect)
	srv, err := practice.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("could not make the practice server: %w", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("could not start the practice server: %w", err)
	}
	info := srv.Info()
	product := "" // O-Series, as every practice session before products
	if info.Product != practice.OSeries {
		product = string(info.Product)
	}
	return &Practice{Server: srv, Settings: Settings{
		Product:      product,
		ClientID:     info.ClientID,
		ClientSecret: info.ClientSecret,
		RedirectURI:  redirect,
		AuthorizeURL: info.AuthorizeURL,
		TokenURL:     info.TokenURL,
		APIURL:       info.APIURL,
		Practice:     true,
	}}, nil
}

// Close stops the practice server.
func (p *Practice) Close() error { return p.Server.Close() }

// PracticeServer is the practice server alone, serving on an address of this computer for
// anything that speaks Lightspeed's protocol (the practice-server command).
type PracticeServer struct {
	srv *practice.Server
}

// StartPracticeServer starts the practice server on addr, which must be a loopback address
// (port 0 picks a free one). A bad address or configuration is KindUsage.
func StartPracticeServer(addr string, cfg PracticeConfig) (*PracticeServer, error) {
	if !isLoopbackAddr(addr) {
		return nil, problem.New(problem.KindUsage, fmt.Sprintf(
			"The practice server listens only on this computer: use an address such as 127.0.0.1:0 or [::1]:8080, not %q.", addr), nil)
	}
	srv, err := practice.New(cfg)
	if err != nil {
		return nil, problem.New(problem.KindUsage, "The practice server can't start with these options: "+err.Error(), err)
	}
	if err := srv.Start(addr); err != nil {
		return nil, fmt.Errorf("could not start the practice server: %w", err)
	}
	return &PracticeServer{srv: srv}, nil
}

// PracticeInfo is what a program needs to use a practice server: its addresses and its own
// made-up client ID, client secret and registered Redirect URI. Its JSON form is one object
// with authorize_url, token_url, api_url, client_id, client_secret and redirect_uri. Like
// PracticeConfig it is the practice server's own type, named here for the faces.
type PracticeInfo = practice.Info

// Info describes the running server.
func (p *PracticeServer) Info() PracticeInfo { return p.srv.Info() }

// Shutdown stops the server, letting requests in flight finish until ctx ends.
func (p *PracticeServer) Shutdown(ctx context.Context) error { return p.srv.Shutdown(ctx) }

func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// freeLoopbackRedirect finds a port that is free now and makes a Redirect URI on it.
func freeLoopbackRedirect() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("could not find a free port for the practice redirect: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return fmt.Sprintf("http://127.0.0.1:%d/callback", port), nil
}

// OpenPractice opens a core on the practice vault beside the one real opts locate: a
// "practice" folder inside the state directory and its own keyring service name, so practice
// companies never mix with real ones.
func OpenPractice(real Options) (*Core, error) {
	if real.Dir == "" {
		d, err := vault.StateDir()
		if err != nil {
			return nil, err
		}
		real.Dir = d
	}
	if real.Service == "" {
		real.Service = vault.DefaultService
	}
	real.Dir = filepath.Join(real.Dir, "practice")
	real.Service += " (practice)"
	return Open(real)
}
