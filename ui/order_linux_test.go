package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// orderFixture is the state file of twenty companies in every status, written the way the
// vault writes it, in an order that is neither the order of names nor of health. Names differ
// in case only where the ID must decide. It is what a support person's computer might hold.
func orderFixture(t *testing.T, dir string) {
	t.Helper()
	now := time.Now().UTC()
	type site struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	type check struct {
		Status    string    `json:"status"`
		Detail    string    `json:"detail"`
		CheckedAt time.Time `json:"checked_at"`
	}
	type handOff struct {
		To string    `json:"to"`
		At time.Time `json:"at"`
	}
	type company struct {
		ID           int64     `json:"id"`
		Name         string    `json:"name"`
		Sites        []site    `json:"sites"`
		SitesTotal   *int      `json:"sites_total,omitempty"`
		ConnectedAt  time.Time `json:"connected_at"`
		AccessExpiry time.Time `json:"access_expiry"`
		LastCheck    *check    `json:"last_check,omitempty"`
		HandedOff    *handOff  `json:"handed_off,omitempty"`
	}
	rows := []struct {
		id     int64
		name   string
		status string // "" for never checked
		sites  int
		total  int
	}{
		{7001, "Harbour Burgers", "healthy", 3, 3},
		{7002, "Manly Pies", "unreachable", 1, 0},
		{7003, "Zeta Noodles", "needs_reconnect", 2, 2},
		{7004, "Coogee Cafe", "", 1, 1},
		{7005, "Bondi Bean Co.", "credentials_invalid", 18, 20},
		{7006, "anchor bar", "healthy", 2, 0},
		{7007, "Yarra Yum Cha", "handed_off", 1, 1},
		{7008, "Anchor Bar", "needs_reconnect", 4, 4},
		{7009, "Paddington Pizza", "paused_by_lightspeed", 1, 1}, // a newer version's status
		{7010, "Glebe Grill", "unreachable", 5, 7},
		{7011, "anchor bar", "needs_reconnect", 2, 2},
		{7012, "Surry Hills Sushi", "", 1, 1},
		{7013, "Newtown Noodle", "healthy", 1, 1},
		{7014, "Ultimo Udon", "credentials_invalid", 1, 1},
		{7015, "Redfern Ramen", "unreachable", 1, 1},
		{7016, "Kings Cross Kebabs", "", 2, 2},
		{7017, "Dulwich Dumplings", "handed_off", 1, 1},
		{7018, "Enmore Espresso", "healthy", 1, 1},
		{7019, "Marrickville Melts", "", 1, 1},
		{7020, "Balmain Bakery", "healthy", 3, 3},
	}
	var companies []company
	for _, r := range rows {
		c := company{ID: r.id, Name: r.name, ConnectedAt: now.Add(-time.Hour), AccessExpiry: now.Add(24 * time.Hour)}
		for i := range r.sites {
			c.Sites = append(c.Sites, site{ID: r.id*100 + int64(i), Name: fmt.Sprintf("%s %d", r.name, i)})
		}
		if r.total > 0 {
			c.SitesTotal = &r.total
		}
		switch r.status {
		case "":
		case "handed_off":
			c.LastCheck = &check{Status: "healthy", Detail: "Lightspeed answered in 80 ms.", CheckedAt: now.Add(-time.Minute)}
			c.HandedOff = &handOff{To: "/srv/integration/tokens.json", At: now.Add(-time.Hour)}
		default:
			c.LastCheck = &check{Status: r.status, Detail: "Recorded as " + r.status + ".", CheckedAt: now.Add(-time.Minute)}
		}
		companies = append(companies, c)
	}
	state := map[string]any{
		"schema": 1,
		"integration": map[string]any{"client_id": "order-test", "redirect_uri": "http://127.0.0.1:8765/callback",
			"authorize_url": "http://127.0.0.1:1/authorize", "token_url": "http://127.0.0.1:1/token", "api_base_url": "http://127.0.0.1:1/api"},
		"companies": companies,
	}
	data, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "state.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// statusCommand runs `lightspeed-connect status` (the real program, built from this module)
// on the state in config/lightspeed-connect, and returns its table's rows: ID, status and
// sites, top to bottom.
func statusCommand(t *testing.T, config string) [][3]string {
	t.Helper()
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "lightspeed-connect")
	build := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", bin, ".")
	build.Dir = strings.TrimSpace(string(root))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("could not build the program: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "status")
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+config)
	out, err := cmd.Output()
	if code := cmd.ProcessState.ExitCode(); code != 1 { // companies need attention
		t.Fatalf("status exited %d (%v), want 1:\n%s", code, err, out)
	}
	row := regexp.MustCompile(`^.+?\s{2,}(\d+)\s{2,}(.+?)\s{2,}(.+?)\s{2,}`)
	var rows [][3]string
	for _, line := range strings.Split(string(out), "\n")[1:] {
		if line == "" {
			break // the notes follow the table
		}
		m := row.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a row of the table: %q", line)
		}
		rows = append(rows, [3]string{m[1], m[2], m[3]})
	}
	return rows
}

// TestOneOrderInEveryFace: the dashboard's list, the tray and `status` show the same twenty
// mixed companies in the same order, with the same words for status and sites, and the tray's
// line is about the companies at the top of both lists.
func TestOneOrderInEveryFace(t *testing.T) {
	testenv.Need(t)
	config := t.TempDir()
	dir := filepath.Join(config, "lightspeed-connect")
	orderFixture(t, dir)
	cli := statusCommand(t, config)

	h, tray := trayHarness(t, deps{options: connections.Options{Dir: dir, Service: testenv.ServiceName(t)}})
	var statuses []connections.CompanyStatus
	var err error
	h.ui(func() { statuses, err = h.shell.real.Statuses(h.shell.ctx) })
	if err != nil || len(statuses) != 20 {
		t.Fatalf("read %d companies: %v", len(statuses), err)
	}
	var d *dashboard
	h.ui(func() { // the dashboard as it opens, before its first check
		d = newDashboard(h.shell, h.shell.real, statuses)
		h.shell.show(d.content())
	})

	var window [][3]string
	h.ui(func() { // each row as the list draws it
		for row := range d.shown {
			o := d.list.newCompanyRow()
			d.list.updateRow(row, o)
			cells := o.(*fyne.Container).Objects
			window = append(window, [3]string{fmt.Sprint(d.statuses[d.shown[row]].ID),
				strings.TrimPrefix(cells[colStatus].(*widget.Label).Text, "● "), cells[colSites].(*widget.Label).Text})
		}
	})
	if !slices.Equal(window, cli) {
		t.Errorf("the dashboard and status disagree:\nwindow %q\nstatus %q", window, cli)
	}
	if !slices.Contains(cli, [3]string{"7005", "Credentials invalid", "18 of 20 sites"}) {
		t.Errorf("status does not show Bondi Bean Co.'s sites as 18 of 20: %q", cli)
	}

	// The tray: the line counts the six companies with something to fix (reconnect, the
	// credentials, a newer version's status), and opens the list on the ones at its top.
	const line = "6 companies need attention"
	h.waitStatus(tray, line, connections.HealthAttention)
	h.click(tray, line)
	var filtered []string
	h.ui(func() {
		for _, i := range d.shown {
			filtered = append(filtered, fmt.Sprint(d.statuses[i].ID))
		}
	})
	var top []string
	for _, r := range cli[:len(filtered)] {
		top = append(top, r[0])
	}
	if want := []string{"7008", "7011", "7003"}; !slices.Equal(filtered, want) || !slices.Equal(top, want) {
		t.Errorf("the tray's line opens %q; status's first rows are %q; want %q (Anchor Bar, anchor bar, Zeta Noodles)", filtered, top, want)
	}
}
