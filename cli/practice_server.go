package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

func init() {
	commands["practice-server"] = command{summary: "run the built-in practice server (a pretend Lightspeed on this computer)", run: runPracticeServer}
}

// practiceSynopsis is the practice-server command's options, as its usage line shows them.
var practiceSynopsis = "[--addr 127.0.0.1:0] [--product " + productChoices("|", "|") + "] [--redirect-uri URI] [--latency D] [--access-ttl D] [--companies N] " +
	"[--sites N] [--hidden-sites N] [--no-next-page] [--rotate-refresh] [--strict-rotation] " +
	"[--rate-limit N/min] [--rate-limit-reply reset|epoch|bare] [--expired-status 400|401] [--send-iss]"

// runPracticeServer serves the practice server until interrupted. It prints ONE JSON line
// with its addresses and its own made-up client ID and secret, so scripts and tests can point
// `connect` at it. It only ever listens on a loopback address.
func runPracticeServer(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "practice-server", practiceSynopsis)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on (port 0 picks a free one)")
	cfg := practiceFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	config, err := cfg()
	if err != nil {
		return err
	}
	srv, err := connections.StartPracticeServer(*addr, config)
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

// practiceFlags defines the options that shape the practice server on fs, and returns the
// function that turns them, once parsed, into its configuration, or a usage error with one
// plain sentence for a value it can't take.
func practiceFlags(fs *flag.FlagSet) func() (connections.PracticeConfig, error) {
	ids := productIDs()
	product := fs.String("product", connections.DefaultProductID, "the Lightspeed product the server plays ("+
		ids[0]+", the default; "+strings.Join(ids[1:], ", ")+")")
	redirect := fs.String("redirect-uri", connections.SuggestedRedirectURI, "the Redirect URI to register")
	latency := fs.Duration("latency", 0, "added to every answer")
	accessTTL := fs.Duration("access-ttl", time.Hour, "how long access tokens last")
	companies := fs.Int("companies", 3, "number of demo companies")
	sites := fs.Int("sites", 0, "give every demo company exactly N sites (0: the demo companies' own)")
	hidden := fs.Int("hidden-sites", 0, "N of each company's sites are out of sight of whoever grants access (counted in sites.count, missing from the list)")
	noNext := fs.Bool("no-next-page", false, "leave X-Next-Page out of list answers (clients page with X-Page alone)")
	rotate := fs.Bool("rotate-refresh", false, "issue a new refresh token on every refresh")
	strict := fs.Bool("strict-rotation", false, "rotate refresh tokens strictly (implies --rotate-refresh): an old one stops working at once, and using it again revokes the whole connection (RFC 9700)")
	rateLimit := fs.String("rate-limit", "0/min", "API requests each access token may make a minute, such as 60/min (0/min: no limit)")
	reply := fs.String("rate-limit-reply", "reset", "how a request over --rate-limit is answered: reset (429 with X-Ratelimit-Reset in seconds), epoch (X-Ratelimit-Reset as a Unix time) or bare (429 alone)")
	expired := fs.Int("expired-status", 401, "HTTP status for a refused access token: 400 or 401")
	sendIss := fs.Bool("send-iss", false, "add iss (RFC 9207) to the sign-in answer")
	return func() (connections.PracticeConfig, error) {
		switch {
		case *latency < 0:
			return connections.PracticeConfig{}, usageError("--latency can't be negative; give a duration such as 100ms.")
		case *accessTTL <= 0:
			return connections.PracticeConfig{}, usageError("--access-ttl must be longer than zero, such as 1h or 90s.")
		case *companies < 1:
			return connections.PracticeConfig{}, usageError("--companies must be at least 1, not %d.", *companies)
		case *sites < 0:
			return connections.PracticeConfig{}, usageError("--sites must be 0 (the demo companies' own sites) or more, not %d.", *sites)
		case *hidden < 0:
			return connections.PracticeConfig{}, usageError("--hidden-sites must be 0 or more, not %d.", *hidden)
		case *expired != 400 && *expired != 401:
			return connections.PracticeConfig{}, usageError("--expired-status is 400 or 401 (Lightspeed answers a refused access token with either), not %d.", *expired)
		}
		playing, err := connections.ParsePracticeProduct(*product)
		if err != nil {
			return connections.PracticeConfig{}, usageError("--product: %s", err.Error())
		}
		perMinute, err := connections.ParsePracticeRate(*rateLimit)
		if err != nil {
			return connections.PracticeConfig{}, usageError("--rate-limit: %s.", err)
		}
		replyKind, err := connections.ParsePracticeRateLimitReply(*reply)
		if err != nil {
			return connections.PracticeConfig{}, usageError("--rate-limit-reply: %s.", err)
		}
		return connections.PracticeConfig{
			Product:        playing,
			RedirectURIs:   []string{*redirect},
			Latency:        *latency,
			AccessTTL:      *accessTTL,
			Companies:      *companies,
			Sites:          *sites,
			HiddenSites:    *hidden,
			NoNextPage:     *noNext,
			RotateRefresh:  *rotate || *strict,
			StrictRotation: *strict,
			RateLimit:      perMinute,
			RateLimitReply: replyKind,
			ExpiredStatus:  *expired,
			SendIssuer:     *sendIss,
		}, nil
	}
}
