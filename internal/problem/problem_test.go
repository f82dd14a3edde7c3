package problem

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestFoundThroughWraps(t *testing.T) {
	cause := errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	pe := New(KindNetwork, "Couldn't reach Lightspeed. Check the internet connection and try again; nothing has been lost.", cause).
		WithDetail("POST %s", "/v1/token.json")
	wrapped := fmt.Errorf("could not refresh company 1: %w", fmt.Errorf("could not exchange: %w", pe))
	cases := []struct {
		name       string
		err        error
		kind       Kind
		summary    string
		detail     string
		causeFound bool
	}{
		{"nil", nil, "", genericSummary, "", false},
		{"plain Go error", cause, KindUnknown, genericSummary, "", true},
		{"problem", pe, KindNetwork, pe.Summary, "POST /v1/token.json", true},
		{"wrapped twice", wrapped, KindNetwork, pe.Summary, "POST /v1/token.json", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if KindOf(c.err) != c.kind || Summary(c.err) != c.summary || Detail(c.err) != c.detail {
				t.Errorf("kind %q summary %q detail %q", KindOf(c.err), Summary(c.err), Detail(c.err))
			}
			if errors.Is(c.err, cause) != c.causeFound {
				t.Errorf("errors.Is(cause) = %v", !c.causeFound)
			}
		})
	}
	if !Is(wrapped, KindNetwork) || Is(wrapped, KindTimeout) || Is(nil, KindNetwork) {
		t.Error("Is does not follow the chain")
	}
}

func TestGenericSummaryHidesGoErrors(t *testing.T) {
	s := Summary(errors.New("runtime error: index out of range [3] with length 2"))
	if strings.Contains(s, "runtime error") || !strings.Contains(s, "diagnostics") {
		t.Errorf("generic summary %q", s)
	}
}

func TestFixIsFoundThroughWraps(t *testing.T) {
	inner := New(KindNotFound, "The integration isn't set up on this computer yet.", nil).WithFix(Fix{Action: ActionSetUp})
	outer := New(KindInvalidClient, "The integration's Client Secret is missing.", inner)
	if got := FixOf(fmt.Errorf("could not refresh: %w", outer)); got.Action != ActionSetUp {
		t.Errorf("FixOf through a problem without a fix = %+v, want the inner one", got)
	}
	outer.Fix = Fix{Action: ActionReconnect, CompanyID: 7}
	if got := FixOf(outer); got.Action != ActionReconnect || got.CompanyID != 7 {
		t.Errorf("FixOf = %+v, want the outer fix", got)
	}
	if got := FixOf(errors.New("plain")); got.Action != ActionNone {
		t.Errorf("FixOf(plain error) = %+v", got)
	}
}
