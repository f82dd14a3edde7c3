package connections

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func statusNamed(name string, st Status) CompanyStatus {
	return CompanyStatus{ID: int64(len(name)), Name: name, Status: st}
}

func many(n int, st Status) []CompanyStatus {
	out := make([]CompanyStatus, n)
	for i := range out {
		out[i] = statusNamed("Company", st)
	}
	return out
}

// TestOrderAttentionFirstThenName: every list puts reconnecting first, then the integration's
// credentials, a status from a newer version, offline, not checked, and the rest alike; within
// a status by name, ignoring case, then by ID.
func TestOrderAttentionFirstThenName(t *testing.T) {
	statuses := []CompanyStatus{
		{ID: 9, Name: "bondi", Status: StatusHealthy},
		{ID: 8, Name: "Anchor", Status: StatusHandedOff},
		{ID: 7, Name: "Zeta", Status: StatusUnknown},
		{ID: 6, Name: "Manly", Status: StatusUnreachable},
		{ID: 5, Name: "Coogee", Status: "paused_by_lightspeed"},
		{ID: 4, Name: "Yarra", Status: StatusCredentialsInvalid},
		{ID: 3, Name: "manly", Status: StatusNeedsReconnect},
		{ID: 2, Name: "Manly", Status: StatusNeedsReconnect},
		{ID: 1, Name: "Ápple", Status: StatusNeedsReconnect},
	}
	Order(statuses)
	var got []int64
	for _, cs := range statuses {
		got = append(got, cs.ID)
	}
	// Within needs reconnect: "Manly" (2) and "manly" (3) are one name, so the ID decides;
	// "Ápple" sorts after them by its code point, as the old dashboard did.
	want := []int64{2, 3, 1, 4, 5, 6, 7, 8, 9}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	for _, st := range []Status{StatusHealthy, StatusHandedOff} {
		if st.NeedsAttention() || st.Urgency() != UrgencyNone {
			t.Errorf("%s needs attention", st)
		}
	}
	for _, st := range []Status{StatusNeedsReconnect, StatusCredentialsInvalid, StatusUnreachable, StatusUnknown, "paused_by_lightspeed"} {
		if !st.NeedsAttention() {
			t.Errorf("%s needs no attention", st)
		}
	}
}

// TestSummaryInWords: the summary's line says the health in words, and its health follows the
// worst news; the tray shows both.
func TestSummaryInWords(t *testing.T) {
	const (
		healthy   = StatusHealthy
		reconnect = StatusNeedsReconnect
		creds     = StatusCredentialsInvalid
		offline   = StatusUnreachable
		unknown   = StatusUnknown
	)
	long := strings.Repeat("Very Long Company Name ", 4)
	type want struct {
		health Health
		line   string
		focus  Status
	}
	cases := []struct {
		name     string
		statuses []CompanyStatus
		want     want
	}{
		{"nothing connected", nil, want{HealthNone, "No companies connected", ""}},
		{"one healthy", []CompanyStatus{statusNamed("Harbour Burgers", healthy)}, want{HealthHealthy, "Harbour Burgers is healthy", ""}},
		{"twelve healthy", many(12, healthy), want{HealthHealthy, "All 12 companies healthy", ""}},
		{"three of twelve need reconnecting", slices.Concat(many(9, healthy), many(3, reconnect)), want{HealthAttention, "3 companies need attention", reconnect}},
		{"one with a wrong secret", []CompanyStatus{statusNamed("Bondi Bean Co.", creds), statusNamed("Harbour Burgers", healthy)}, want{HealthAttention, "Bondi Bean Co. needs attention", creds}},
		{"attention outranks offline", slices.Concat(many(2, offline), many(2, reconnect)), want{HealthAttention, "2 companies need attention", reconnect}},
		{"all offline", many(4, offline), want{HealthOffline, "Offline: couldn't reach Lightspeed", offline}},
		{"one offline", []CompanyStatus{statusNamed("Manly Pies", offline), statusNamed("Harbour Burgers", healthy)}, want{HealthOffline, "Couldn't reach Lightspeed for Manly Pies", offline}},
		{"some offline", slices.Concat(many(2, offline), many(5, healthy)), want{HealthOffline, "Couldn't reach Lightspeed for 2 companies", offline}},
		{"offline outranks not checked", slices.Concat(many(2, offline), many(5, unknown)), want{HealthOffline, "Couldn't reach Lightspeed for 2 companies", offline}},
		{"not checked", slices.Concat(many(3, unknown), many(5, healthy)), want{HealthNone, "3 companies not checked yet", unknown}},
		{"credentials before offline, reconnecting before both", slices.Concat(many(1, offline), many(1, creds), many(1, reconnect)), want{HealthAttention, "2 companies need attention", reconnect}},
		{"a newer version's status is worth a look", []CompanyStatus{statusNamed("Coogee", "paused_by_lightspeed"), statusNamed("Harbour Burgers", healthy)}, want{HealthAttention, "Coogee needs attention", "paused_by_lightspeed"}},
		{"handed off needs nothing", slices.Concat(many(2, StatusHandedOff), many(5, healthy)), want{HealthHealthy, "5 healthy, 2 handed off to the integration", ""}},
		{"a long name is cut", []CompanyStatus{statusNamed(long, reconnect)}, want{HealthAttention, long[:39] + "… needs attention", reconnect}},
	}
	for _, tc := range cases {
		sum := Summarise(tc.statuses)
		if got := (want{sum.Health, sum.Line, sum.Focus}); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
		if sum.Total != len(tc.statuses) {
			t.Errorf("%s: total %d", tc.name, sum.Total)
		}
	}
}

// TestSummaryNeedsAttention is the exit code of `status`: anything to fix or offline; never
// checked only once a check has run.
func TestSummaryNeedsAttention(t *testing.T) {
	cases := []struct {
		statuses        []CompanyStatus
		recorded, check bool
	}{
		{many(3, StatusHealthy), false, false},
		{slices.Concat(many(3, StatusHealthy), many(1, StatusHandedOff)), false, false},
		{slices.Concat(many(3, StatusHealthy), many(1, StatusUnknown)), false, true},
		{slices.Concat(many(3, StatusHealthy), many(1, StatusUnreachable)), true, true},
		{slices.Concat(many(3, StatusHealthy), many(1, StatusCredentialsInvalid)), true, true},
		{many(1, "paused_by_lightspeed"), true, true},
	}
	for i, tc := range cases {
		sum := Summarise(tc.statuses)
		if got := sum.NeedsAttention(false); got != tc.recorded {
			t.Errorf("case %d, recorded: needs attention %t", i, got)
		}
		if got := sum.NeedsAttention(true); got != tc.check {
			t.Errorf("case %d, after a check: needs attention %t", i, got)
		}
	}
}

// TestSummaryParts: healthy, needs reconnect and offline always, then the others present, the
// most urgent first, each in words.
func TestSummaryParts(t *testing.T) {
	statuses := slices.Concat(many(2, StatusHandedOff), many(117, StatusHealthy), many(1, StatusNeedsReconnect),
		many(5, StatusUnknown), many(2, StatusCredentialsInvalid))
	var got []string
	for _, p := range Summarise(statuses).Parts() {
		got = append(got, p.Words)
	}
	want := []string{"117 healthy", "1 needs reconnecting", "0 offline", "2 credentials invalid", "5 not checked", "2 handed off"}
	if !slices.Equal(got, want) {
		t.Errorf("parts %q, want %q", got, want)
	}
	if got := CountWords(StatusNeedsReconnect, 3); got != "3 need reconnecting" {
		t.Errorf("three: %q", got)
	}
}

// BenchmarkOrder500 sorts five hundred companies the faces' way (Compare, folding case as it
// goes), against the baseline of the dashboard's old sort over names lowered once beforehand:
// the list is sorted again on every batch of results, so Compare must cost about the same.
func BenchmarkOrder500(b *testing.B) {
	statuses := make([]CompanyStatus, 500)
	kinds := []Status{StatusHealthy, StatusHealthy, StatusHealthy, StatusUnreachable, StatusNeedsReconnect, StatusUnknown}
	for i := range statuses {
		statuses[i] = CompanyStatus{ID: int64(i), Name: fmt.Sprintf("Model Company %03d", (i*37+11)%500), Status: kinds[i%len(kinds)]}
	}
	work := make([]CompanyStatus, len(statuses))
	b.Run("baseline-lowered-keys", func(b *testing.B) {
		for b.Loop() {
			copy(work, statuses)
			keys := make(map[int64]string, len(work))
			for _, cs := range work {
				keys[cs.ID] = strings.ToLower(cs.Name)
			}
			slices.SortStableFunc(work, func(x, y CompanyStatus) int {
				if r := x.Status.Rank() - y.Status.Rank(); r != 0 {
					return r
				}
				if c := strings.Compare(keys[x.ID], keys[y.ID]); c != 0 {
					return c
				}
				return int(x.ID - y.ID)
			})
		}
	})
	b.Run("compare", func(b *testing.B) {
		for b.Loop() {
			copy(work, statuses)
			Order(work)
		}
	})
}
