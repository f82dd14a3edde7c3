package connections

import (
	"fmt"
	"net"
	"path/filepath"

	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Practice is a practice session: the built-in practice server running on loopback, and the
// integration settings that point at it. Practice connections live in their own vault (see
// PracticeVaultOptions), so demo companies never mix with real ones.
type Practice struct {
	// Server is the running practice server; Close it when done.
	Server *practice.Server
	// Settings point at Server, with a free loopback Redirect URI registered there.
	Settings Settings
}

// StartPractice starts a practice server on 127.0.0.1 with cfg (its zero value is fine), and
// registers a Redirect URI on a free loopback port for the app to catch the answer on.
func StartPractice(cfg practice.Config) (*Practice, error) {
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
	return &Practice{Server: srv, Settings: Settings{
		ClientID:     info.ClientID,
		ClientSecret: info.ClientSecret,
		RedirectURI:  redirect,
		Profile:      oauth.Profile{Name: "the practice server", AuthorizeURL: info.AuthorizeURL, TokenURL: info.TokenURL, APIURL: info.APIURL},
		Practice:     true,
	}}, nil
}

// Close stops the practice server.
func (p *Practice) Close() error { return p.Server.Close() }

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

// PracticeVaultOptions returns options for the practice vault beside the real one: a
// "practice" folder inside the state directory and its own keyring service name.
func PracticeVaultOptions(real vault.Options) (vault.Options, error) {
	dir := real.Dir
	if dir == "" {
		d, err := vault.StateDir()
		if err != nil {
			return vault.Options{}, err
		}
		dir = d
	}
	service := real.Service
	if service == "" {
		service = vault.DefaultService
	}
	real.Dir = filepath.Join(dir, "practice")
	real.Service = service + " (practice)"
	return real, nil
}
