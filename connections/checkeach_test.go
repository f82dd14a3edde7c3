package connections

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// TestCheckEachStreamsEveryCompanyAndRecordsIt: every company's status comes through each,
// once, and is in the state afterwards; the client secret is read from the keyring once and
// each company's tokens once, however many companies there are.
func TestCheckEachStreamsEveryCompanyAndRecordsIt(t *testing.T) {
	const companies = 12
	f := newFixture(t, PracticeConfig{Companies: companies})
	ids := f.grantAll(t)
	f.core.parallelism = 4
	before := len(f.keyring.Calls())
	seen := map[int64]int{}
	err := f.core.CheckEach(context.Background(), nil, func(cs CompanyStatus) {
		seen[cs.ID]++
		if cs.Status != StatusHealthy || cs.LastCheckAt == nil {
			t.Errorf("%s: %s (%s), checked %v", cs.Name, cs.Status, cs.Detail, cs.LastCheckAt)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("company %d came through %d times, want once", id, seen[id])
		}
	}
	statuses, err := f.core.Statuses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range statuses {
		if cs.Status != StatusHealthy || cs.LastCheckAt == nil {
			t.Errorf("recorded %s: %s, checked %v", cs.Name, cs.Status, cs.LastCheckAt)
		}
	}
	gets := map[string]int{}
	for _, call := range f.keyring.Calls()[before:] {
		if item, ok := strings.CutPrefix(call, "get "); ok {
			gets[item]++
		}
	}
	secretReads := 0
	for item, n := range gets {
		switch {
		case strings.HasPrefix(item, "client-secret:"):
			secretReads += n
		case strings.HasSuffix(item, ":refresh"):
			t.Errorf("%s read %d times while the access token was fresh", item, n)
		case n != 1:
			t.Errorf("%s read %d times in one check, want once", item, n)
		}
	}
	if secretReads != 1 || len(gets) != 1+companies {
		t.Errorf("the check read the client secret %d times and %d items in all: %v", secretReads, len(gets), gets)
	}
}

// TestCheckEachCancelKeepsWhatWasNotChecked cancels a slow check after its first result:
// it stops with KindCanceled, the companies checked so far are recorded, and the ones cut
// short keep the status they had (not checked) instead of turning into a failure.
func TestCheckEachCancelKeepsWhatWasNotChecked(t *testing.T) {
	const companies = 8
	f := newFixture(t, PracticeConfig{Companies: companies})
	f.grantAll(t)
	f.core.parallelism = 2
	f.practice.Server.SetLatency(300 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	got := map[int64]bool{}
	err := f.core.CheckEach(ctx, nil, func(cs CompanyStatus) {
		mu.Lock()
		defer mu.Unlock()
		got[cs.ID] = true
		cancel()
	})
	if !problem.Is(err, problem.KindCanceled) {
		t.Fatalf("err = %v, want KindCanceled", err)
	}
	if len(got) == 0 || len(got) >= companies {
		t.Fatalf("%d of %d companies came through before the cancel took effect", len(got), companies)
	}
	statuses, err := f.core.Statuses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range statuses {
		switch {
		case got[cs.ID] && (cs.Status != StatusHealthy || cs.LastCheckAt == nil):
			t.Errorf("%s was checked but is recorded as %s, checked %v", cs.Name, cs.Status, cs.LastCheckAt)
		case !got[cs.ID] && (cs.Status != StatusUnknown || cs.LastCheckAt != nil || cs.Detail != "Not checked yet."):
			t.Errorf("%s was cut short but is recorded as %s (%s)", cs.Name, cs.Status, cs.Detail)
		}
	}
}

// TestCheckEachUnknownCompany names the unknown ID and checks nothing.
func TestCheckEachUnknownCompany(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	f.grantAll(t)
	called := false
	err := f.core.CheckEach(context.Background(), []int64{424242}, func(CompanyStatus) { called = true })
	if !problem.Is(err, problem.KindNotFound) || called {
		t.Fatalf("err = %v, called = %t", err, called)
	}
}

// TestCheckEachStreamsWhatItRecords: a status is passed on before it is written, and is the
// one written, also when the check had to refresh the tokens (Lightspeed refused the access
// tokens, so every check refreshes): the new expiry, the refresh, the healthy check.
func TestCheckEachStreamsWhatItRecords(t *testing.T) {
	const companies = 6
	f := newFixture(t, PracticeConfig{Companies: companies})
	f.grantAll(t)
	f.core.parallelism = 3
	before, err := f.core.Statuses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.practice.Server.ExpireAccessTokens()
	streamed := map[int64]CompanyStatus{}
	if err := f.core.CheckEach(context.Background(), nil, func(cs CompanyStatus) { streamed[cs.ID] = cs }); err != nil {
		t.Fatal(err)
	}
	after, err := f.core.Statuses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range after {
		got, ok := streamed[rec.ID]
		switch {
		case !ok:
			t.Errorf("%s was not passed on", rec.Name)
		case rec.Status != StatusHealthy || got.Status != rec.Status || got.Detail != rec.Detail:
			t.Errorf("%s: passed on %s (%s), recorded %s (%s)", rec.Name, got.Status, got.Detail, rec.Status, rec.Detail)
		case rec.AccessExpiresAt == nil || rec.AccessExpiresAt.Equal(*before[i].AccessExpiresAt) || !got.AccessExpiresAt.Equal(*rec.AccessExpiresAt):
			t.Errorf("%s: expiry %v before, %v passed on, %v recorded", rec.Name, before[i].AccessExpiresAt, got.AccessExpiresAt, rec.AccessExpiresAt)
		case got.LastRefreshAt == nil || rec.LastRefreshAt == nil || got.LastRefreshAt.Sub(*rec.LastRefreshAt).Abs() > time.Second:
			t.Errorf("%s: refreshed at %v passed on, %v recorded", rec.Name, got.LastRefreshAt, rec.LastRefreshAt)
		case !got.LastCheckAt.Equal(*rec.LastCheckAt):
			t.Errorf("%s: checked at %v passed on, %v recorded", rec.Name, got.LastCheckAt, rec.LastCheckAt)
		}
	}
}
