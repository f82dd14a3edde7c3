package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestRedaction plants secrets in every type of this package that holds one, directly or
// through a field, and scans every fmt verb, both slog handlers and encoding/json, for values,
// pointers, slices, maps and the types nested in a caller's struct.
func TestRedaction(t *testing.T) {
	const (
		access  = "AT-planted-secret-1"
		refresh = "RT-planted-secret-2"
		secret  = "CS-planted-secret-3"
	)
	res := Result{AccessToken: access, RefreshToken: refresh, Expiry: time.Now()}
	cfg := Config{ClientID: testClientID, ClientSecret: secret, RedirectURI: SuggestedRedirectURI}
	rcfg := RefreshConfig{ClientID: testClientID, ClientSecret: secret, RefreshToken: refresh}
	s, f := startFlow(t, "127.0.0.1", func(c *Config) { c.ClientSecret = testClientSecret })
	r := &Refresher{}
	f.refresh[refresh] = true
	release, arrived := f.hold(t)
	go func() { _, _ = r.Refresh(context.Background(), "c", refreshCfg(f, refresh)) }()
	<-arrived // a refresh is in flight while the Refresher is printed
	type holder struct {
		R  Result
		C  Config
		RC RefreshConfig
		S  *Session
		RF *Refresher
	}
	values := map[string]any{
		"Result": res, "*Result": &res, "Config": cfg, "*Config": &cfg, "RefreshConfig": rcfg, "*RefreshConfig": &rcfg,
		"*Session": s, "*Refresher": r, "nested": holder{res, cfg, rcfg, s, r}, "*nested": &holder{res, cfg, rcfg, s, r},
		"slice": []Result{res}, "map": map[string]Config{"x": cfg}, "refresh slice": []RefreshConfig{rcfg},
	}
	secrets := []string{access, refresh, secret, testClientSecret, s.state, s.verifier}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			out := fmt.Sprintf(verb, v)
			for i, sec := range secrets {
				if strings.Contains(out, sec) {
					t.Errorf("%s under %s printed secret #%d", name, verb, i)
				}
			}
		}
		for _, h := range []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var b bytes.Buffer
			slog.New(h(&b)).Info("x", "v", v)
			j, _ := json.Marshal(v)
			b.Write(j)
			for i, sec := range secrets {
				if strings.Contains(b.String(), sec) {
					t.Errorf("%s in slog printed secret #%d", name, i)
				}
			}
		}
	}
	if out := fmt.Sprintf("%v %#v %#v", res, cfg, s); !strings.Contains(out, "[redacted]") || !strings.Contains(out, "oauth.Config{") {
		t.Errorf("redacted forms not used: %s", out)
	}
	release()
}
