package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// TestStatusSaysWhichSitesAreOutOfSight: the person who granted access sees 18 of the
// company's 20 sites. connect, status (table and note) and status --json all say so.
func TestStatusSaysWhichSitesAreOutOfSight(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{Sites: 20, HiddenSites: 2})
	note := "You can see 18 of Harbour Burgers Pty Ltd's 20 sites. Whoever clicked Grant Access can't see the other 2. Reconnect as the owner to include them."
	r := f.connect(t, 0, f.secret(), f.settingsFlags()...)
	if r.code != 0 || !strings.Contains(r.stdout, "\n"+note+"\n") {
		t.Fatalf("connect: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"status"}, {"status", "--check"}} {
		r := f.run(t, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		lines := strings.Split(r.stdout, "\n")
		if len(lines) < 4 || !strings.Contains(lines[1], "  18 of 20 sites  ") {
			t.Errorf("%v: the row does not say 18 of 20:\n%s", args, r.stdout)
		}
		head, at := strings.Index(r.stdout, "\nHarbour Burgers Pty Ltd (31001): "), strings.Index(r.stdout, note+"\n")
		if head < 0 || at < head || strings.Count(r.stdout, note) != 1 {
			t.Errorf("%v: no note under the table:\n%s", args, r.stdout)
		}
	}
	r = f.run(t, "", "status", "--json")
	var statuses []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &statuses); err != nil || len(statuses) != 1 {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	if statuses[0]["sites_visible"] != 18.0 || statuses[0]["sites_total"] != 20.0 {
		t.Errorf("status --json: sites_visible %v, sites_total %v; want 18 and 20", statuses[0]["sites_visible"], statuses[0]["sites_total"])
	}
}

// TestStatusWithEverySiteInSightHasNoNote: the same company with nothing hidden shows its
// count alone and no note.
func TestStatusWithEverySiteInSightHasNoNote(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{Sites: 20})
	if r := f.connect(t, 0, f.secret(), f.settingsFlags()...); r.code != 0 || strings.Contains(r.stdout, "You can see") {
		t.Fatalf("connect: exit %d\n%s", r.code, r.stdout)
	}
	r := f.run(t, "", "status", "--check")
	if r.code != 0 || strings.Contains(r.stdout, "You can see") || strings.Contains(r.stdout, " of 20") || !strings.Contains(r.stdout, "  20 sites  ") {
		t.Fatalf("status --check: exit %d\n%s", r.code, r.stdout)
	}
}
