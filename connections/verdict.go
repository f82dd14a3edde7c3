package connections

import (
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"
)

// The verdict on statuses, decided once for both faces: how urgent each status is, the order
// every list shows companies in, and what a summary of many says. The command line's table
// and exit code, the dashboard's list and summary bar, and the tray's icon and first line all
// come from here.

// Urgency is how much a status asks of the person, the most urgent first.
type Urgency int

const (
	// UrgencyFix: something must be done: reconnect the company, or correct the
	// integration's credentials.
	UrgencyFix Urgency = iota
	// UrgencyOffline: Lightspeed couldn't be reached; nothing is lost, try again later.
	UrgencyOffline
	// UrgencyUnchecked: not checked yet, or the check couldn't tell.
	UrgencyUnchecked
	// UrgencyNone: healthy, or handed off to the integration, which refreshes it.
	UrgencyNone
)

// verdict decides, for every status, its place in a list (Rank) and its Urgency. It is the only
// place that does: reconnecting first (only someone from the company can fix it), then the
// integration's credentials, then a status this version doesn't know (a newer version wrote
// it: worth a look), then offline, then not checked, then the rest alike.
func (s Status) verdict() (rank int, u Urgency) {
	switch s {
	case StatusNeedsReconnect:
		return 0, UrgencyFix
	case StatusCredentialsInvalid:
		return 1, UrgencyFix
	case StatusUnreachable:
		return 3, UrgencyOffline
	case StatusUnknown:
		return 4, UrgencyUnchecked
	case StatusHealthy, StatusHandedOff:
		return 5, UrgencyNone
	default:
		return 2, UrgencyFix
	}
}

// Rank is the status's place in every list of companies: the lower, the nearer the top.
func (s Status) Rank() int { r, _ := s.verdict(); return r }

// Urgency is how much the status asks of the person.
func (s Status) Urgency() Urgency { _, u := s.verdict(); return u }

// NeedsAttention reports whether the status asks anything of the person: everything but
// healthy and a hand-off (which was asked for).
func (s Status) NeedsAttention() bool { return s.Urgency() != UrgencyNone }

// Compare orders two companies the way every face lists them: by Rank, then by name
// (ignoring case), then by ID.
func Compare(a, b CompanyStatus) int {
	if r := a.Status.Rank() - b.Status.Rank(); r != 0 {
		return r
	}
	if c := compareFold(a.Name, b.Name); c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// Order sorts statuses in place the way every face lists them (see Compare).
func Order(statuses []CompanyStatus) { slices.SortStableFunc(statuses, Compare) }

// compareFold compares two names ignoring case, without allocating: a list of five hundred
// companies is sorted on every result that comes in.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		if ca, cb := a[0], b[0]; ca < utf8.RuneSelf && cb < utf8.RuneSelf { // ASCII: no decoding
			ca, cb = lowerASCII(ca), lowerASCII(cb)
			if ca != cb {
				return int(ca) - int(cb)
			}
			a, b = a[1:], b[1:]
			continue
		}
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if la, lb := unicode.ToLower(ra), unicode.ToLower(rb); la != lb {
			if la < lb {
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Health is the overall health of many companies, as an icon shows it.
type Health int

const (
	// HealthNone: nothing connected, or nothing checked yet.
	HealthNone Health = iota
	// HealthHealthy: every company answered (or was handed off).
	HealthHealthy
	// HealthOffline: Lightspeed couldn't be reached for some.
	HealthOffline
	// HealthAttention: some need reconnecting, or the integration's credentials.
	HealthAttention
)

// Summary sums many statuses up: the counts, the overall health, and one line that says it.
type Summary struct {
	// Total is how many companies were summed up.
	Total int
	// Counts is how many companies have each status.
	Counts map[Status]int
	// Health is the overall health: the most urgent status present decides.
	Health Health
	// Line says the summary in a few words, short enough for a menu: "3 companies need
	// attention", "Harbour Burgers is healthy". A single company is named; several are counted.
	Line string
	// Focus is the status of the companies Line is about (the most urgent one when they
	// differ), or "" when it is about all of them.
	Focus Status

	byUrgency [UrgencyNone + 1]int
}

// Summarise sums statuses up; every face shows the same counts and the same line.
func Summarise(statuses []CompanyStatus) Summary {
	sum := Summary{Total: len(statuses), Counts: map[Status]int{}}
	first := map[Urgency]CompanyStatus{} // the first company of each urgency, in the faces' order
	handedOff := 0
	for _, cs := range statuses {
		sum.Counts[cs.Status]++
		u := cs.Status.Urgency()
		sum.byUrgency[u]++
		if f, ok := first[u]; !ok || Compare(cs, f) < 0 {
			first[u] = cs
		}
		if cs.Status == StatusHandedOff {
			handedOff++
		}
	}
	n, fix, offline, unchecked := sum.Total, sum.byUrgency[UrgencyFix], sum.byUrgency[UrgencyOffline], sum.byUrgency[UrgencyUnchecked]
	say := func(h Health, focus Status, line string, args ...any) Summary {
		sum.Health, sum.Focus, sum.Line = h, focus, fmt.Sprintf(line, args...)
		return sum
	}
	switch {
	case n == 0:
		return say(HealthNone, "", "No companies connected")
	case fix == 1:
		return say(HealthAttention, first[UrgencyFix].Status, "%s needs attention", shortName(first[UrgencyFix].Name))
	case fix > 1:
		return say(HealthAttention, first[UrgencyFix].Status, "%d companies need attention", fix)
	case offline == n:
		return say(HealthOffline, StatusUnreachable, "Offline: couldn't reach Lightspeed")
	case offline == 1:
		return say(HealthOffline, StatusUnreachable, "Couldn't reach Lightspeed for %s", shortName(first[UrgencyOffline].Name))
	case offline > 1:
		return say(HealthOffline, StatusUnreachable, "Couldn't reach Lightspeed for %d companies", offline)
	case unchecked == 1:
		return say(HealthNone, StatusUnknown, "%s not checked yet", shortName(first[UrgencyUnchecked].Name))
	case unchecked > 1:
		return say(HealthNone, StatusUnknown, "%d companies not checked yet", unchecked)
	case handedOff > 0:
		return say(HealthHealthy, "", "%d healthy, %d handed off to the integration", n-handedOff, handedOff)
	case n == 1:
		return say(HealthHealthy, "", "%s is healthy", shortName(statuses[0].Name))
	default:
		return say(HealthHealthy, "", "All %d companies healthy", n)
	}
}

// NeedsAttention reports whether any company asks something of the person. A company never
// checked doesn't, until a check has run (checked): then not knowing is a failure too.
func (s Summary) NeedsAttention(checked bool) bool {
	return s.byUrgency[UrgencyFix] > 0 || s.byUrgency[UrgencyOffline] > 0 || checked && s.byUrgency[UrgencyUnchecked] > 0
}

// Part is one count of a summary: a status, how many companies have it, and the words.
type Part struct {
	Status Status
	Count  int
	// Words are the count in words: "117 healthy", "3 need reconnecting", "0 offline".
	Words string
}

// alwaysCounted are the parts a summary shows even at zero, in this order.
var alwaysCounted = []Status{StatusHealthy, StatusNeedsReconnect, StatusUnreachable}

// Parts are the summary's counts, in the order a summary bar shows them: healthy, needs
// reconnect and offline always (even at zero), then every other status some company has, the
// most urgent first.
func (s Summary) Parts() []Part {
	order := slices.Clone(alwaysCounted)
	var more []Status
	for st := range s.Counts {
		if !slices.Contains(order, st) {
			more = append(more, st)
		}
	}
	slices.SortFunc(more, func(a, b Status) int {
		if r := a.Rank() - b.Rank(); r != 0 {
			return r
		}
		return compareFold(string(a), string(b))
	})
	parts := make([]Part, 0, len(order)+len(more))
	for _, st := range append(order, more...) {
		parts = append(parts, Part{Status: st, Count: s.Counts[st], Words: CountWords(st, s.Counts[st])})
	}
	return parts
}

// shortName keeps a line short: company names can be long.
func shortName(name string) string {
	const most = 40
	if utf8.RuneCountInString(name) <= most {
		return name
	}
	r := []rune(name)
	return string(r[:most-1]) + "…"
}
