package connections

import (
	"context"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestSavedPaceReachesTheAPIClient: a pace saved with the integration's settings is read
// back and used by every API client made under those settings; no pace means the default.
func TestSavedPaceReachesTheAPIClient(t *testing.T) {
	testenv.Need(t)
	f := newFixture(t, PracticeConfig{})
	ctx := context.Background()
	s := f.practice.Settings
	s.RequestsPerMinute = 45
	if err := f.core.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	saved, err := f.core.Settings(ctx)
	if err != nil || saved.RequestsPerMinute != 45 {
		t.Fatalf("saved pace %d, %v", saved.RequestsPerMinute, err)
	}
	first, second := f.core.apiClient(saved, nil), f.core.apiClient(saved, nil)
	if got := first.Pacer.PerMinute(); got != 45 {
		t.Errorf("the API client paces at %d a minute, want the saved 45", got)
	}
	if first.Pacer != second.Pacer {
		t.Error("two clients under the same settings pace apart, so one token could go twice as fast")
	}
	saved.RequestsPerMinute = 0
	if got := f.core.apiClient(saved, nil).Pacer.PerMinute(); got != DefaultRequestsPerMinute {
		t.Errorf("without a pace the client paces at %d, want the default %d", got, DefaultRequestsPerMinute)
	}
}

// TestPaceOutOfRangeIsRefused: a pace below zero or above MaxRequestsPerMinute is one plain
// sentence, and nothing is saved.
func TestPaceOutOfRangeIsRefused(t *testing.T) {
	testenv.Need(t)
	f := newFixture(t, PracticeConfig{})
	ctx := context.Background()
	for _, n := range []int{-1, MaxRequestsPerMinute + 1} {
		s := f.practice.Settings
		s.RequestsPerMinute = n
		err := f.core.SaveSettings(ctx, s)
		if !problem.Is(err, problem.KindUsage) || !strings.Contains(problem.Summary(err), "between 1 and") {
			t.Errorf("pace %d: %v", n, err)
		}
		if saved, _ := f.core.SavedSettings(ctx); saved.RequestsPerMinute != 0 {
			t.Errorf("pace %d was saved anyway: %d", n, saved.RequestsPerMinute)
		}
	}
}
