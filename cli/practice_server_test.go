package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// TestPracticeServerFlags: every flag lands on its field of the practice server's
// configuration.
func TestPracticeServerFlags(t *testing.T) {
	fs := flag.NewFlagSet("practice-server", flag.ContinueOnError)
	cfg := practiceFlags(fs)
	err := fs.Parse([]string{"--product", "x-series", "--redirect-uri", "http://127.0.0.1:9/cb", "--latency", "100ms", "--access-ttl", "90s",
		"--companies", "7", "--sites", "60", "--hidden-sites", "2", "--no-next-page", "--strict-rotation",
		"--rate-limit", "60/min", "--rate-limit-reply", "bare", "--expired-status", "400", "--send-iss"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := cfg()
	if err != nil {
		t.Fatal(err)
	}
	bare, _ := connections.ParsePracticeRateLimitReply("bare")
	xSeries, _ := connections.ParsePracticeProduct("x-series")
	want := connections.PracticeConfig{Product: xSeries, RedirectURIs: []string{"http://127.0.0.1:9/cb"}, Latency: 100 * time.Millisecond,
		AccessTTL: 90 * time.Second, Companies: 7, Sites: 60, HiddenSites: 2, NoNextPage: true, RotateRefresh: true,
		StrictRotation: true, RateLimit: 60, RateLimitReply: bare, ExpiredStatus: 400, SendIssuer: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config\n got %+v\nwant %+v", got, want)
	}

	fs = flag.NewFlagSet("practice-server", flag.ContinueOnError)
	cfg = practiceFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	got, err = cfg()
	oSeries, _ := connections.ParsePracticeProduct("")
	if err != nil || got.RateLimit != 0 || got.ExpiredStatus != 401 || got.NoNextPage || got.RotateRefresh || got.Sites != 0 || got.Product != oSeries {
		t.Errorf("defaults: %+v, %v", got, err)
	}
}

// TestPracticeServerBadFlags: a value the server can't take ends with exit code 2 and one
// plain sentence naming the option.
func TestPracticeServerBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--rate-limit", "fast"},
		{"--product", "vend"},
		{"--rate-limit", "60/hour"},
		{"--rate-limit", "-5/min"},
		{"--rate-limit-reply", "loud"},
		{"--expired-status", "403"},
		{"--sites", "-1"},
		{"--hidden-sites", "-2"},
		{"--companies", "0"},
		{"--latency", "-1s"},
		{"--access-ttl", "0s"},
	} {
		var stdout, stderr strings.Builder
		code := Run(context.Background(), &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr},
			append([]string{"practice-server"}, args...))
		msg := strings.TrimSpace(stderr.String())
		if code != ExitUsage || stdout.Len() != 0 || strings.Count(msg, "\n") != 0 || !strings.HasPrefix(msg, args[0]) || !strings.HasSuffix(msg, ".") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one sentence about %s", args, code, stdout.String(), msg, args[0])
		}
	}
}

// TestPracticeServerCommandUsesItsFlags: the running server answers as its flags say (a
// refused access token gets --expired-status 400, with an OAuth-style body).
func TestPracticeServerCommandUsesItsFlags(t *testing.T) {
	info, stop := runPracticeServerCommand(t, "--expired-status", "400", "--sites", "60", "--hidden-sites", "2", "--rate-limit", "60/min")
	req, _ := http.NewRequest(http.MethodGet, info["api_url"]+"companies/me.json", nil)
	req.Header.Set("Authorization", "Bearer not-a-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Error string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || body.Error != "invalid_token" {
		t.Errorf("refused token: HTTP %d %q, want 400 invalid_token", resp.StatusCode, body.Error)
	}
	stop()
}

// runPracticeServerCommand runs `practice-server args…` until stop, and returns the JSON line
// it prints. stop interrupts it and fails the test unless it exits 0.
func runPracticeServerCommand(t *testing.T, args ...string) (map[string]string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, &Env{Stdin: strings.NewReader(""), Stdout: outW, Stderr: io.Discard}, append([]string{"practice-server"}, args...))
		_ = outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]string
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("not one JSON line: %q", line)
	}
	return info, func() {
		t.Helper()
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("interrupted practice server exited %d", code)
		}
	}
}

// TestPracticeServerPlaysTheProduct: --product chooses the product the server plays: its
// addresses in the JSON line (X-Series' per store) and its rules (K-Series takes the client's
// credentials only as HTTP Basic).
func TestPracticeServerPlaysTheProduct(t *testing.T) {
	for _, product := range []string{"k-series", "x-series"} {
		info, stop := runPracticeServerCommand(t, "--product", product)
		line, _ := json.Marshal(info)
		switch product {
		case "x-series":
			if info["product"] != product || !strings.HasSuffix(info["token_url"], "/x/{domain_prefix}/api/1.0/token") {
				t.Errorf("x-series: %s", line)
			}
		case "k-series":
			resp, err := http.PostForm(info["token_url"], map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {"r"},
				"client_id": {info["client_id"]}, "client_secret": {info["client_secret"]}})
			if err != nil {
				t.Fatal(err)
			}
			var body struct{ Error string }
			_ = json.NewDecoder(resp.Body).Decode(&body)
			_ = resp.Body.Close()
			if info["product"] != product || resp.StatusCode != http.StatusUnauthorized || body.Error != "invalid_client" {
				t.Errorf("k-series with the secret in the body: HTTP %d %q (%s)", resp.StatusCode, body.Error, line)
			}
		}
		stop()
	}
}
