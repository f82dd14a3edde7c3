package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

func init() {
	commands["practice-server"] = command{summary: "run the built-in practice server (a pretend Lightspeed on this computer)", run: runPracticeServer}
}

// runPracticeServer serves the practice server until interrupted. It prints ONE JSON line
// with its addresses and its own made-up client ID and secret, so scripts and tests can point
// `connect` at it. It only ever listens on a loopback address.
func runPracticeServer(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "practice-server", "[--addr 127.0.0.1:0] [--redirect-uri URI] [--latency D] [--access-ttl D] [--companies N] [--rotate-refresh]")
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on (port 0 picks a free one)")
	redirect := fs.String("redirect-uri", connections.SuggestedRedirectURI, "the Redirect URI to register")
	latency := fs.Duration("latency", 0, "added to every answer")
	accessTTL := fs.Duration("access-ttl", time.Hour, "how long access tokens last")
	companies := fs.Int("companies", 3, "number of demo companies")
	rotate := fs.Bool("rotate-refresh", false, "issue a new refresh token on every refresh")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	srv, err := connections.StartPracticeServer(*addr, connections.PracticeConfig{RedirectURIs: []string{*redirect},
		Latency: *latency, AccessTTL: *accessTTL, Companies: *companies, RotateRefresh: *rotate})
	if err != nil {
		return err
	}
	line, _ := json.Marshal(srv.Info())
	fmt.Fprintln(env.Stdout, string(line))
	fmt.Fprintln(env.Stderr, "The practice server is running. Press Ctrl+C to stop it.")
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	return nil
}
