package oauth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// BenchmarkCallbackToTokens measures the flow from the moment the browser's answer reaches
// the catcher to tokens in hand (callback handling, exchange against a loopback fake token
// server, the page, Wait). Starting and closing each session is not timed.
func BenchmarkCallbackToTokens(b *testing.B) {
	f := newFakeAS(b, "")
	client := &http.Client{}
	for b.Loop() {
		b.StopTimer()
		s, u := benchSession(b, f)
		b.StartTimer()
		resp, err := client.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if _, err := s.Wait(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// benchSession starts a session on a free port and returns it with its good callback address.
func benchSession(b *testing.B, f *fakeAS) (*Session, string) {
	for {
		redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(b))
		f.mu.Lock()
		f.redirect = redirect
		f.codes["CODE-b"] = ""
		f.mu.Unlock()
		s, err := Start(context.Background(), Config{Profile: f.profile(), ClientID: testClientID, ClientSecret: testClientSecret, RedirectURI: redirect})
		if problem.Is(err, problem.KindPortInUse) {
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		return s, redirect + "?code=CODE-b&state=" + url.QueryEscape(s.state)
	}
}
