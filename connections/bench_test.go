package connections

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

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

// BenchmarkCheck200 checks 200 companies whose API answers after 100 ms, at several
// parallelisms, the default among them, through Check (all at once) and CheckEach (streamed,
// as the window's Check all). Beside the time per check it reports the ideal,
// latency × ⌈companies ÷ parallelism⌉, as ideal-ms, and measured ÷ ideal as ratio: the cost
// of everything that is not waiting for Lightspeed (the keyring, the state file, our own
// CPU). The client secret is read once per check and the tokens in the workers, without the
// state lock; the transport keeps one idle connection per worker.
func BenchmarkCheck200(b *testing.B) {
	const companies, latency = 200, 100 * time.Millisecond
	f := newFixture(b, PracticeConfig{Companies: companies})
	f.grantAll(b)
	f.practice.Server.SetLatency(latency)
	ctx := context.Background()
	for _, parallelism := range []int{8, DefaultParallelism, 32, 64} {
		for _, how := range []string{"Check", "CheckEach"} {
			b.Run(fmt.Sprintf("%s/parallelism=%d", how, parallelism), func(b *testing.B) {
				f.core.parallelism = parallelism
				f.core.http = &http.Client{Transport: pooledTransport(parallelism), Timeout: time.Minute}
				for b.Loop() {
					var statuses []CompanyStatus
					var err error
					if how == "Check" {
						statuses, err = f.core.Check(ctx)
					} else {
						err = f.core.CheckEach(ctx, nil, func(cs CompanyStatus) { statuses = append(statuses, cs) })
					}
					if err != nil || len(statuses) != companies {
						b.Fatalf("check: %d statuses, %v", len(statuses), err)
					}
					for _, s := range statuses {
						if s.Status != StatusHealthy {
							b.Fatalf("%s: %s (%s)", s.Name, s.Status, s.Detail)
						}
					}
				}
				rounds := (companies + parallelism - 1) / parallelism
				ideal := latency * time.Duration(rounds)
				perCheck := float64(b.Elapsed().Milliseconds()) / float64(b.N)
				b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
				b.ReportMetric(perCheck, "ms/check")
				b.ReportMetric(perCheck/float64(ideal.Milliseconds()), "ratio")
			})
		}
	}
}

// BenchmarkCheck200Expired is BenchmarkCheck200 the morning after: every access token has
// expired (in the state and at the server), so every company's check first refreshes its
// tokens (rotated, as Lightspeed may) and then asks for the company. Each company then needs
// two round trips, so the ideal is 2 × latency × ⌈companies ÷ parallelism⌉ and ratio is
// measured ÷ that. Refreshes of different companies must run side by side for the ratio to
// stay near 1: one refresh at a time makes it about parallelism ÷ 2.
//
// What a refresh costs beyond the network is measured in the same run as store-ms: the same
// parallelism putting every company through vault.Refresh with a refresh that answers at
// once with the tokens it was given (its locks, the state read and write, five keyring
// calls) and no network at all. The keyring answers one call at a time on Linux, so that
// work cannot shrink with parallelism; floor-ratio is measured ÷ (ideal-ms + store-ms), below
// 1 where the network waits and the keyring work overlap.
func BenchmarkCheck200Expired(b *testing.B) {
	const companies, latency = 200, 100 * time.Millisecond
	f := newFixture(b, PracticeConfig{Companies: companies, RotateRefresh: true})
	ids := f.grantAll(b)
	f.practice.Server.SetLatency(latency)
	ctx := context.Background()
	expireAll := func() {
		f.practice.Server.ExpireAccessTokens()
		err := f.vault.Store.Update(ctx, func(st *vault.State) error {
			for _, id := range ids {
				st.Company(id).AccessExpiry = time.Now().Add(-time.Minute)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	storeAll := func(parallelism int) time.Duration {
		start := time.Now()
		var g errgroup.Group
		g.SetLimit(parallelism)
		for _, id := range ids {
			g.Go(func() error {
				_, err := f.vault.Refresh(ctx, id, func(_ context.Context, cur vault.Tokens) (vault.Tokens, error) { return cur, nil })
				return err
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	for _, parallelism := range []int{DefaultParallelism, 32} {
		b.Run(fmt.Sprintf("CheckEach/parallelism=%d", parallelism), func(b *testing.B) {
			store := storeAll(parallelism)
			f.core.parallelism = parallelism
			f.core.http = &http.Client{Transport: pooledTransport(parallelism), Timeout: time.Minute}
			for b.Loop() {
				b.StopTimer()
				expireAll()
				before := f.practice.Server.Stats().TokenRequests
				b.StartTimer()
				var statuses []CompanyStatus
				err := f.core.CheckEach(ctx, nil, func(cs CompanyStatus) { statuses = append(statuses, cs) })
				if err != nil || len(statuses) != companies {
					b.Fatalf("check: %d statuses, %v", len(statuses), err)
				}
				for _, s := range statuses {
					if s.Status != StatusHealthy {
						b.Fatalf("%s: %s (%s)", s.Name, s.Status, s.Detail)
					}
				}
				if got := f.practice.Server.Stats().TokenRequests - before; got != companies {
					b.Fatalf("%d token requests for %d expired companies", got, companies)
				}
			}
			ideal := 2 * latency * time.Duration((companies+parallelism-1)/parallelism)
			perCheck := float64(b.Elapsed().Milliseconds()) / float64(b.N)
			b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
			b.ReportMetric(float64(store.Milliseconds()), "store-ms")
			b.ReportMetric(perCheck, "ms/check")
			b.ReportMetric(perCheck/float64(ideal.Milliseconds()), "ratio")
			b.ReportMetric(perCheck/float64((ideal+store).Milliseconds()), "floor-ratio")
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
