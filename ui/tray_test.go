package ui

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/appinfo"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// fakeTray stands in for the tray host, which Xvfb and the test driver don't have: it keeps
// what the app puts in the tray. Its methods run on the UI goroutine (inside h.ui).
type fakeTray struct {
	menu   *fyne.Menu
	icon   fyne.Resource
	window fyne.Window
	sets   int // SetSystemTrayMenu calls
}

func (f *fakeTray) SetSystemTrayMenu(m *fyne.Menu)    { f.menu = m; f.sets++ }
func (f *fakeTray) SetSystemTrayIcon(r fyne.Resource) { f.icon = r }
func (f *fakeTray) SetSystemTrayWindow(w fyne.Window) { f.window = w }

// labels are the menu's lines, "—" for a separator, "✓ " before a ticked one.
func (f *fakeTray) labels() []string {
	var out []string
	for _, it := range f.menu.Items {
		switch {
		case it.IsSeparator:
			out = append(out, "—")
		case it.Checked:
			out = append(out, "✓ "+it.Label)
		default:
			out = append(out, it.Label)
		}
	}
	return out
}

// item is the menu item whose label starts with prefix.
func (f *fakeTray) item(t *testing.T, prefix string) *fyne.MenuItem {
	t.Helper()
	for _, it := range f.menu.Items {
		if !it.IsSeparator && strings.HasPrefix(it.Label, prefix) {
			return it
		}
	}
	t.Fatalf("no menu item %q in %q", prefix, f.labels())
	return nil
}

// trayHarness is the window with a tray.
func trayHarness(t *testing.T, d deps) (*harness, *fakeTray) {
	tray := &fakeTray{}
	d.tray = func(fyne.App) desktop.App { return tray }
	return newHarness(t, d), tray
}

// click runs the menu item's action as the tray would, on the UI goroutine.
func (h *harness) click(tray *fakeTray, prefix string) {
	h.t.Helper()
	var it *fyne.MenuItem
	h.ui(func() { it = tray.item(h.t, prefix) })
	if it.Disabled {
		h.t.Fatalf("menu item %q is disabled", it.Label)
	}
	h.ui(it.Action)
}

// waitStatus waits until the menu's first line is want, then checks the icon.
func (h *harness) waitStatus(tray *fakeTray, want string, icon connections.Health) {
	h.t.Helper()
	h.waitFor("the tray to say "+want, func() bool { return tray.menu != nil && tray.menu.Items[0].Label == want })
	h.ui(func() {
		if tray.icon != trayIcons[icon] {
			h.t.Errorf("with %q the tray icon is %s, want %s", want, tray.icon.Name(), trayIcons[icon].Name())
		}
	})
}

// TestTrayMenuFollowsHealth connects a demo company and lets the tray's "Check now" find it
// healthy, then revoked in Lightspeed, then unreachable: the first line and the icon follow,
// and the notification comes once, on the change to needs-reconnect.
func TestTrayMenuFollowsHealth(t *testing.T) {
	testenv.Need(t)
	opts := trayVaultOptions(t)
	server := connectThroughCore(t, opts)
	h, tray := trayHarness(t, deps{options: opts})
	const name = "Harbour Burgers Pty Ltd"

	h.waitFor("the tray to read the companies", func() bool { return tray.menu != nil && tray.menu.Items[0].Label != "Reading your companies…" })
	h.ui(func() {
		want := []string{"", "—", "Open Lightspeed Connect", "Check now", "—", "Keep running after the window closes", "Start in the tray when I sign in", "—", "Quit"}
		got := tray.labels()
		want[0] = got[0]
		if !slices.Equal(got, want) {
			t.Errorf("menu: got %q, want %q", got, want)
		}
		if !tray.menu.Items[len(tray.menu.Items)-1].IsQuit {
			t.Error("the last item is not the menu's Quit")
		}
		if tray.window != h.win {
			t.Error("the tray icon does not show the window when tapped")
		}
	})

	test.AssertNotificationSent(t, nil, func() {
		h.click(tray, "Check now")
		h.waitStatus(tray, name+" is healthy", connections.HealthHealthy)
	})

	server.Server.RevokeAll()
	// The notification says the company's own sentence, known once the check has recorded it.
	note := &fyne.Notification{}
	test.AssertNotificationSent(t, note, func() {
		h.click(tray, "Check now")
		h.waitStatus(tray, name+" needs attention", connections.HealthAttention)
		statuses, err := h.shell.real.Statuses(h.shell.ctx)
		if err != nil || len(statuses) != 1 || statuses[0].Detail == "" {
			t.Fatalf("recorded %+v, %v", statuses, err)
		}
		*note = *reconnectNotification(statuses[0])
		if note.Title != name+" needs reconnecting" || note.Content != statuses[0].Detail {
			t.Errorf("the notification is %+v, not the company's name and its recorded sentence", note)
		}
	})
	// The status line opens the window on the companies it is about.
	h.ui(h.shell.start)
	h.waitText("Check all")
	h.click(tray, name+" needs attention")
	h.ui(func() {
		if d := h.shell.dash; d == nil || d.filter != connections.StatusNeedsReconnect {
			t.Errorf("the status line did not open the dashboard filtered to the companies that need reconnecting")
		}
	})
	h.ui(func() { h.shell.dash.setFilter("") })
	for _, s := range []string{note.Title, note.Content} {
		if strings.Contains(s, "lightspeed-connect") || strings.Contains(s, "--") {
			t.Errorf("the notification names a command: %q", s)
		}
	}
	// Still broken on the next check and the next poll: nothing more is sent.
	test.AssertNotificationSent(t, nil, func() {
		h.click(tray, "Check now")
		h.waitFor("the check to end", func() bool { return !tray.item(t, "Check now").Disabled })
		h.ui(func() { h.shell.trayIcon.poke() })
		h.waitStatus(tray, name+" needs attention", connections.HealthAttention)
	})

	_ = server.Close()
	test.AssertNotificationSent(t, nil, func() {
		h.click(tray, "Check now")
		h.waitStatus(tray, "Offline: couldn't reach Lightspeed", connections.HealthOffline)
	})
}

// TestTrayWhileChecking: "Check now" says it is checking and cannot be clicked twice.
func TestTrayWhileChecking(t *testing.T) {
	testenv.Need(t)
	opts := trayVaultOptions(t)
	server := connectThroughCore(t, opts)
	server.Server.SetLatency(2 * time.Second)
	h, tray := trayHarness(t, deps{options: opts})
	h.waitFor("the tray to read the companies", func() bool { return tray.menu != nil && tray.menu.Items[0].Label != "Reading your companies…" })
	h.click(tray, "Check now")
	h.ui(func() {
		if got := tray.menu.Items[0].Label; got != "Checking your companies…" {
			t.Errorf("while checking the tray says %q", got)
		}
		if !tray.item(t, "Check now").Disabled {
			t.Error("Check now can be clicked again while a check runs")
		}
	})
	h.ui(func() { h.shell.cancel() }) // ends the slow request
}

// TestClosingAsksOnceAndRemembers: the first close asks; "Keep running" hides the window to
// the tray and says so once; later closes do the same without asking, also for the next
// start; the tray menu turns it off, and then closing quits.
func TestClosingAsksOnceAndRemembers(t *testing.T) {
	h, tray := trayHarness(t, deps{})
	const question = "Keep tokens fresh in the background?"

	h.ui(h.win.clickClose)
	h.waitText(question)
	h.ui(func() {
		if h.win.closed || h.win.hidden {
			t.Fatal("the window went before the question was answered")
		}
	})
	test.AssertNotificationSent(t, &fyne.Notification{Title: "Lightspeed Connect is still running",
		Content: "It keeps your companies' access tokens fresh from the system tray. To stop it, choose Quit in the tray icon's menu."},
		func() { h.tap("Keep running") })
	h.ui(func() {
		if h.win.closed || !h.win.hidden {
			t.Errorf("after Keep running: closed %t, hidden %t; want it hidden in the tray", h.win.closed, h.win.hidden)
		}
		if got := h.app.Preferences().String(keepRunningKey); got != keepRunningYes {
			t.Errorf("remembered %q", got)
		}
		if !tray.item(t, "Keep running").Checked {
			t.Error("the tray menu does not tick Keep running")
		}
		if h.shell.ctx.Err() != nil {
			t.Error("background work stopped when the window went to the tray")
		}
	})

	h.click(tray, "Open Lightspeed Connect")
	h.ui(func() {
		if h.win.hidden {
			t.Error("Open did not show the window")
		}
	})
	test.AssertNotificationSent(t, nil, func() { h.ui(h.win.clickClose) }) // told once only
	h.ui(func() {
		if h.has(question) {
			t.Error("the question was asked again")
		}
		if h.win.closed || !h.win.hidden {
			t.Errorf("second close: closed %t, hidden %t; want hidden", h.win.closed, h.win.hidden)
		}
	})

	// The next start remembers (the same app's preferences, as after a restart).
	var next *shell
	h.ui(func() {
		w := &closableWindow{Window: test.NewWindow(nil)}
		next = newShell(h.app, w, appinfo.Info{Name: "Lightspeed Connect"}, deps{options: trayVaultOptions(t), do: h.shell.deps.do, tray: h.shell.deps.tray})
		w.clickClose()
		asked := w.Canvas().Overlays().Top() != nil
		if !w.hidden || w.closed || asked {
			t.Errorf("after a restart, close: closed %t, hidden %t, asked %t; want hidden without asking", w.closed, w.hidden, asked)
		}
		next.shutdown()
	})
	next.work.Wait()

	// Turned off in the tray: the next close quits, without asking.
	h.click(tray, "Keep running")
	h.ui(func() {
		if tray.item(t, "Keep running").Checked {
			t.Error("still ticked after turning it off")
		}
		h.win.clickClose()
		if h.has(question) {
			t.Error("with Keep running off, closing asked again")
		}
		if h.shell.ctx.Err() == nil {
			t.Error("background work goes on after the window closed for good")
		}
	})
	h.waitFor("the window to close for good", func() bool { return h.win.closed })
}

// TestAnsweringQuitQuits: "Quit" closes for good and is remembered.
func TestAnsweringQuitQuits(t *testing.T) {
	h, _ := trayHarness(t, deps{})
	h.ui(h.win.clickClose)
	h.tap("Quit")
	h.waitFor("the window to close", func() bool { return h.win.closed })
	h.ui(func() {
		if got := h.app.Preferences().String(keepRunningKey); got != keepRunningNo {
			t.Errorf("remembered %q", got)
		}
	})
}

// TestWithoutATrayClosingQuits: with no tray (the test driver is not a desktop app) the
// window closes at once, as before the tray existed, and nothing is asked.
func TestWithoutATrayClosingQuits(t *testing.T) {
	h := newHarness(t, deps{})
	h.ui(func() {
		if h.shell.trayIcon != nil {
			t.Fatal("a tray icon was made without a tray")
		}
		h.win.clickClose()
		if h.has("Keep tokens fresh") {
			t.Error("asked about the tray without one")
		}
	})
	h.waitFor("the window to close", func() bool { return h.win.closed })
}

// TestStartAtSignInFromTheTray: the tray item writes the autostart entry for this program
// with --background, ticks, and removes it again.
func TestStartAtSignInFromTheTray(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows this is the current user's Run value, not a temporary one")
	}
	t.Setenv("HOME", t.TempDir())
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	h, tray := trayHarness(t, deps{})
	h.waitStatus(tray, "No companies connected", connections.HealthNone)
	entry := filepath.Join(config, "autostart", "lightspeed-connect.desktop")
	if runtime.GOOS == "darwin" {
		entry = filepath.Join(os.Getenv("HOME"), "Library", "LaunchAgents", "app.lightspeedconnect.connect.plist")
	}

	h.click(tray, "Start in the tray when I sign in")
	h.waitFor("the item to tick", func() bool { return tray.item(t, "Start in the tray").Checked })
	data, err := os.ReadFile(entry)
	if err != nil {
		t.Fatalf("no autostart entry: %v", err)
	}
	exe, _ := os.Executable()
	if !strings.Contains(string(data), exe) || !strings.Contains(string(data), "--background") {
		t.Errorf("the entry does not start this program with --background:\n%s", data)
	}

	h.click(tray, "Start in the tray when I sign in")
	h.waitFor("the tick to go", func() bool { return !tray.item(t, "Start in the tray").Checked })
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Errorf("the entry is still there: %v", err)
	}
}

// trayVaultOptions opens a test vault of its own: a temporary folder and keyring service.
func trayVaultOptions(t *testing.T) connections.Options {
	tv := testenv.NewVault(t)
	return connections.Options{Dir: tv.Dir, Service: tv.Service}
}

// TestQuitFromTheTrayDuringARefreshNotifies: with the window closed to the tray, Quit in the
// tray's menu while the automatic refresh is on its way to a slow server that rotates refresh
// tokens strictly says it is finishing the refresh in a notification (the window is hidden, so
// a dialog there would be seen by no one), and quits once the new token is stored.
func TestQuitFromTheTrayDuringARefreshNotifies(t *testing.T) {
	testenv.Need(t)
	_, opts, p := slowStrictRefresh(t)
	seen := p.Server.Stats().TokenRequests

	h, tray := trayHarness(t, deps{options: opts})
	h.app.Preferences().SetString(keepRunningKey, keepRunningYes)
	h.ui(h.win.clickClose)
	h.ui(func() {
		if !h.win.hidden {
			t.Fatal("the window did not go to the tray")
		}
	})
	refreshSent(t, p, seen)
	test.AssertNotificationSent(t, &fyne.Notification{Title: "Lightspeed Connect", Content: connections.FinishingRefresh},
		func() { h.click(tray, "Quit") })
	h.ui(func() {
		if h.has(connections.FinishingRefresh) {
			t.Error("the hidden window shows the sentence too")
		}
	})
	h.waitFor("the refresh to finish", func() bool { return h.shell.real.Refreshing() == 0 })
}
