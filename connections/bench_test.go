package connections

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// grantAll stores a connection for every demo company, issued by the practice server without
// the browser (the benchmark is about Check, not about consent).
func (f *fixture) grantAll(tb testing.TB) []int64 {
	tb.Helper()
	ctx := context.Background()
	var ids []int64
	for _, co := range f.practice.Server.Companies() {
		set, err := f.practice.Server.Grant(co.ID)
		if err != nil {
			tb.Fatal(err)
		}
		tokens := vault.Tokens{AccessToken: set.AccessToken, RefreshToken: set.RefreshToken,
			Expiry: time.Now().Add(time.Duration(set.ExpiresIn) * time.Second)}
		if err := f.vault.SaveCompany(ctx, vault.Company{ID: co.ID, Name: co.Name}, tokens); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, co.ID)
	}
	return ids
}

// BenchmarkCheck100 checks 100 companies whose API answers after 100 ms, with the default
// parallelism and one after another. It reports, beside the measured time per Check, the
// ideal (latency × companies ÷ parallelism) as ideal-ms and the one-after-another floor
// (latency × companies) as serial-ms.
func BenchmarkCheck100(b *testing.B) {
	const companies, latency = 100, 100 * time.Millisecond
	for _, parallelism := range []int{DefaultParallelism, 1} {
		b.Run(fmt.Sprintf("parallelism=%d", parallelism), func(b *testing.B) {
			f := newFixture(b, PracticeConfig{Companies: companies})
			f.grantAll(b)
			f.core.parallelism = parallelism
			f.core.http = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: parallelism}, Timeout: time.Minute}
			f.practice.Server.SetLatency(latency)
			ctx := context.Background()
			for b.Loop() {
				statuses, err := f.core.Check(ctx)
				if err != nil || len(statuses) != companies {
					b.Fatalf("check: %d statuses, %v", len(statuses), err)
				}
				for _, s := range statuses {
					if s.Status != StatusHealthy {
						b.Fatalf("%s: %s (%s)", s.Name, s.Status, s.Detail)
					}
				}
			}
			ideal := latency * companies / time.Duration(parallelism)
			b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
			b.ReportMetric(float64((latency * companies).Milliseconds()), "serial-ms")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/check")
		})
	}
}

// BenchmarkConnectOverhead measures the app's own work from the moment the browser's
// answer reaches the loopback catcher to the company stored with its sites: exchange, Me,
// Sites and the keyring and state writes, against the practice server on loopback. The
// consent form is submitted before the timer starts.
func BenchmarkConnectOverhead(b *testing.B) {
	f := newFixture(b, PracticeConfig{})
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		a, err := f.core.StartConnect(ctx, ConnectOptions{SkipPreflight: true})
		if err != nil {
			b.Fatal(err)
		}
		callback, err := testenv.Consent(ctx, a.AuthURL(), 0, true)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		resp, err := http.Get(callback)
		if err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
		if _, err := a.Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
