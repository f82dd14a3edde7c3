package main

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/lightspeedconnect/lightspeed-connect/assets"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// trayWatcher is the part of a desktop panel that hosts status icons on Linux: it owns the
// StatusNotifierWatcher name on the session bus and hears icons register. Xvfb has no panel,
// so the test is one, speaking the same protocol a real panel speaks.
type trayWatcher struct {
	conn  *dbus.Conn
	items chan trayItem
}

// trayItem is a registered icon: the bus name it lives on and its object path.
type trayItem struct {
	sender string
	path   dbus.ObjectPath
}

// RegisterStatusNotifierItem is the watcher's D-Bus method; an item passes its object path
// (or its bus name) and is found at the caller's unique name.
func (w *trayWatcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	path := dbus.ObjectPath("/StatusNotifierItem")
	if strings.HasPrefix(service, "/") {
		path = dbus.ObjectPath(service)
	}
	w.items <- trayItem{string(sender), path}
	return nil
}

func startTrayWatcher(t *testing.T) *trayWatcher {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	w := &trayWatcher{conn: conn, items: make(chan trayItem, 4)}
	if err := conn.Export(w, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("could not become the tray host: %v %v", reply, err)
	}
	t.Cleanup(func() {
		// Released by a call, not only by closing, so the next test finds no tray host.
		_, _ = conn.ReleaseName("org.kde.StatusNotifierWatcher")
		_ = conn.Close()
	})
	return w
}

// menuEntry is one line of the icon's menu as the panel reads it (com.canonical.dbusmenu).
type menuEntry struct {
	id        int32
	label     string
	separator bool
	disabled  bool
}

// stableMenu waits until the menu's first line is first and the menu has not changed for a
// second (the app builds it one line at a time, and again once the tray is up), and returns it.
func (w *trayWatcher) stableMenu(t *testing.T, item trayItem, first string) []menuEntry {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var menu []menuEntry
	var since time.Time
	var last uint32
	for {
		var rev uint32
		menu, rev = w.menuAndRevision(t, item)
		switch {
		case len(menu) == 0 || menu[0].label != first:
			since = time.Time{}
		case since.IsZero() || rev != last:
			since, last = time.Now(), rev
		case time.Since(since) > time.Second:
			return menu
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tray menu never settled on %q: %q", first, labels(menu))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// menuAndRevision reads the item's menu layout and its revision.
func (w *trayWatcher) menuAndRevision(t *testing.T, item trayItem) ([]menuEntry, uint32) {
	t.Helper()
	menuPath, err := w.conn.Object(item.sender, item.path).GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		t.Fatalf("the icon has no menu: %v", err)
	}
	var revision uint32
	var root []any
	call := w.conn.Object(item.sender, menuPath.Value().(dbus.ObjectPath)).Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if err := call.Store(&revision, &root); err != nil {
		t.Fatalf("reading the menu: %v", err)
	}
	var out []menuEntry
	for _, child := range root[2].([]dbus.Variant) {
		fields := child.Value().([]any)
		props := fields[1].(map[string]dbus.Variant)
		e := menuEntry{id: fields[0].(int32)}
		if v, ok := props["label"]; ok {
			e.label = v.Value().(string)
		}
		if v, ok := props["type"]; ok && v.Value().(string) == "separator" {
			e.separator = true
		}
		if v, ok := props["enabled"]; ok && !v.Value().(bool) {
			e.disabled = true
		}
		if v, ok := props["visible"]; ok && !v.Value().(bool) {
			continue
		}
		out = append(out, e)
	}
	return out, revision
}

// click clicks a menu line the way a panel does.
func (w *trayWatcher) click(t *testing.T, item trayItem, e menuEntry) {
	t.Helper()
	menuPath, err := w.conn.Object(item.sender, item.path).GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		t.Fatal(err)
	}
	call := w.conn.Object(item.sender, menuPath.Value().(dbus.ObjectPath)).Call("com.canonical.dbusmenu.Event", 0, e.id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix()))
	if call.Err != nil {
		t.Fatalf("clicking %q: %v", e.label, call.Err)
	}
}

// iconPixels is the icon as the panel gets it: ARGB32 in network byte order, the largest one.
func (w *trayWatcher) iconPixels(t *testing.T, item trayItem) (width, height int32, argb []byte) {
	t.Helper()
	v, err := w.conn.Object(item.sender, item.path).GetProperty("org.kde.StatusNotifierItem.IconPixmap")
	if err != nil {
		t.Fatalf("the icon has no pixels: %v", err)
	}
	var pixmaps []struct {
		W, H int32
		Data []byte
	}
	if err := dbus.Store([]any{v.Value()}, &pixmaps); err != nil {
		t.Fatalf("reading the icon: %v", err)
	}
	for _, p := range pixmaps {
		if p.W > width {
			width, height, argb = p.W, p.H, p.Data
		}
	}
	return width, height, argb
}

// argbOf converts a PNG to the panel's ARGB32, to compare with what the app sent.
func argbOf(t *testing.T, pngBytes []byte) []byte {
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	out := make([]byte, 0, 4*b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			out = binary.BigEndian.AppendUint32(out, (a>>8)<<24|(r>>8)<<16|(g>>8)<<8|bl>>8)
		}
	}
	return out
}

// sameOpaquePixels compares two ARGB32 images where both are opaque, and their alpha
// everywhere: the tray library rounds half-transparent edges its own way.
func sameOpaquePixels(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i += 4 {
		if (a[i] == 0) != (b[i] == 0) || (a[i] == 0xFF) != (b[i] == 0xFF) {
			return false
		}
		if a[i] == 0xFF && !bytes.Equal(a[i:i+4], b[i:i+4]) {
			return false
		}
	}
	return true
}

func labels(menu []menuEntry) []string {
	var out []string
	for _, e := range menu {
		if e.separator {
			out = append(out, "—")
		} else {
			out = append(out, e.label)
		}
	}
	return out
}

// TestBackgroundStartInTheTray starts the real binary with --background next to a tray
// host: no window shows, the icon registers with the "nothing connected" variant and a menu
// that says so in words; "Open Lightspeed Connect" shows the window, and Quit ends the app.
func TestBackgroundStartInTheTray(t *testing.T) {
	testenv.Need(t)
	bin := buildBinary(t)
	watcher := startTrayWatcher(t)
	app := startApp(t, bin, []string{"--background"}, "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir())

	var item trayItem
	select {
	case item = <-watcher.items:
	case err := <-app.exited:
		t.Fatalf("the app exited: %s\n%s", exitStatus(err), app.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("no tray icon registered within 60 s\n%s", app.stderr.String())
	}

	menu := watcher.stableMenu(t, item, "No companies connected")
	want := []string{"No companies connected", "—", "Open Lightspeed Connect", "Check now", "—", "Keep running after the window closes", "Start in the tray when I sign in", "—", "Quit"}
	if got := labels(menu); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("menu: got %q, want %q", got, want)
	}
	w, h, argb := watcher.iconPixels(t, item)
	if w != 64 || h != 64 || !sameOpaquePixels(argb, argbOf(t, assets.TrayNone)) || sameOpaquePixels(argb, argbOf(t, assets.TrayHealthy)) {
		t.Errorf("the tray icon (%d×%d) is not the nothing-connected variant", w, h)
	}
	if out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Lightspeed Connect$").Output(); len(bytes.TrimSpace(out)) > 0 {
		t.Error("a background start showed the window")
	}

	watcher.click(t, item, menu[2])
	windowID := app.waitForWindow(t, "Lightspeed Connect", 60*time.Second)
	shot := screenshot(t, windowID)
	testenv.SavePNG(t, "background-opened.png", shot)
	if colours := distinctColours(shot); colours < 3 {
		t.Errorf("the opened window looks blank (%d colours)", colours)
	}

	menu = watcher.stableMenu(t, item, "No companies connected")
	watcher.click(t, item, menu[len(menu)-1])
	select {
	case err := <-app.exited:
		if err != nil {
			t.Fatalf("Quit did not end the app cleanly: %s\n%s", exitStatus(err), app.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the app did not quit within 30 s of Quit")
	}
}

// TestBackgroundStartWithoutATray: with no tray host, --background says so in one sentence
// and opens the window.
func TestBackgroundStartWithoutATray(t *testing.T) {
	testenv.Need(t)
	bin := buildBinary(t)
	app := startApp(t, bin, []string{"--background"}, "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir())
	windowID := app.waitForWindow(t, "Lightspeed Connect", 60*time.Second)
	shot := screenshot(t, windowID)
	testenv.SavePNG(t, "background-no-tray.png", shot)
	_ = app.cmd.Process.Signal(os.Interrupt)
	select {
	case <-app.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the app did not exit within 30 s of being asked")
	}
	if !strings.Contains(app.stderr.String(), "No system tray was found on this desktop, so Lightspeed Connect opened its window instead") {
		t.Errorf("the app did not say why it opened its window; stderr:\n%s", app.stderr.String())
	}
}
