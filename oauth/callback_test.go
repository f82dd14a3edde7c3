package oauth

import (
	"net/url"
	"testing"
)

// FuzzCallback: parsing a callback query (caught or pasted) never panics and never yields a
// code, an error or any outcome but "bad state" without exactly one state equal to ours.
func FuzzCallback(f *testing.F) {
	const want = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXhxdXU"
	for _, s := range []string{"code=abc&state=" + want, "state=" + want, "error=access_denied&state=" + want, "code=a&state=" + want + "&state=" + want,
		"code=a&state=" + want[:len(want)-1], "state=%zz", "code=&state=" + want, ";;;&&&==", "state=" + want + "x&code=a"} {
		f.Add(s)
		f.Add("http://127.0.0.1:8765/callback?" + s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		check := func(q url.Values) {
			cb := classifyCallback(q, want)
			exact := len(q["state"]) == 1 && q["state"][0] == want
			if cb.verdict != verdictBadState && !exact {
				t.Fatalf("verdict %d without the exact state for %q", cb.verdict, raw)
			}
			if cb.verdict == verdictCode && (cb.code == "" || len(q["code"]) != 1 || q.Has("error")) {
				t.Fatalf("accepted code from %q", raw)
			}
			if cb.verdict != verdictCode && cb.code != "" {
				t.Fatal("a code escaped a refusal")
			}
		}
		if q, err := url.ParseQuery(raw); err == nil {
			check(q)
		}
		if q, err := parsePasted(raw); err == nil {
			check(q)
		}
		if cb := classifyCallback(url.Values{"state": {raw}, "code": {"c"}}, ""); cb.verdict != verdictBadState {
			t.Fatal("an empty expected state accepted something")
		}
	})
}
