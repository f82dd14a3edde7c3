package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// newerSays is part of the sentence about a list of companies a newer version saved.
const newerSays = "saved by a newer version of Lightspeed Connect"

// countText is how many visible texts contain want; call inside h.ui.
func (h *harness) countText(want string) int {
	n := 0
	for _, s := range h.texts() {
		if strings.Contains(s, want) {
			n++
		}
	}
	return n
}

// TestANewerVersionsStateOpensReadOnly: a company connected, then the state file marked as a
// newer major schema's. The window opens on the dashboard with the company and a notice saying
// why nothing changes; nothing is checked or refreshed, Check all and Connect another company
// are off, and Refresh answers with the same sentence. The file stays byte for byte.
func TestANewerVersionsStateOpensReadOnly(t *testing.T) {
	testenv.Need(t)
	tv := testenv.NewVault(t)
	opts := connections.Options{Dir: tv.Dir, Service: tv.Service}
	p := connectThroughCore(t, opts)
	path := filepath.Join(tv.Dir, "state.json")
	before := editStateFile(t, tv.Dir, func(data []byte) []byte {
		return regexp.MustCompile(`"schema": \d+`).ReplaceAll(data, []byte(`"schema": 3`))
	})
	stats := p.Server.Stats()

	h := newHarness(t, deps{options: opts, autoRefresh: 20 * time.Millisecond})
	h.ui(h.shell.start)
	h.waitText("Harbour Burgers Pty Ltd")
	h.waitText(newerSays)
	h.ui(func() {
		for _, name := range []string{"Check all", "Connect another company"} {
			if b := h.button(name); b == nil || !b.Disabled() {
				t.Errorf("%s is not off over a newer version's list", name)
			}
		}
	})
	h.tap("Refresh")
	h.waitFor("Refresh to answer with the sentence", func() bool { return h.countText(newerSays) >= 2 })
	time.Sleep(100 * time.Millisecond) // several background refresh rounds
	if got := p.Server.Stats(); got != stats {
		t.Errorf("the window asked Lightspeed: %+v, before %+v", got, stats)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Errorf("the window changed the newer version's state:\n%s", after)
	}
}

// TestARebuildWhileOpenIsToldAtOnce: the dashboard is open when the state file is cut short;
// the next background refresh rebuilds it from the last-good copy, and the window says so at
// once, without the dashboard being loaded again.
func TestARebuildWhileOpenIsToldAtOnce(t *testing.T) {
	testenv.Need(t)
	tv := testenv.NewVault(t)
	opts := connections.Options{Dir: tv.Dir, Service: tv.Service}
	connectThroughCore(t, opts)
	h := newHarness(t, deps{options: opts, autoRefresh: 20 * time.Millisecond})
	h.ui(h.shell.start)
	h.waitText("Harbour Burgers Pty Ltd")
	var dash fyne.CanvasObject
	h.ui(func() { dash = h.shell.dash.root })

	// The test cuts the file without the app's state lock, so a save the window had already
	// begun (its opening check records its result) may still put a whole file back over the
	// cut one; nothing is damaged then, and nothing is to be told. Cut again until a background
	// refresh meets a cut file.
	path := filepath.Join(tv.Dir, "state.json")
	deadline := time.Now().Add(30 * time.Second)
	for told := false; !told; {
		if time.Now().After(deadline) {
			t.Fatal("the state file was cut and rebuilt again and again, and the window never said so")
		}
		cut := editStateFile(t, tv.Dir, cutShort)
		h.waitFor("the recovery to be told, or the cut file to be written over", func() bool {
			told = h.has("Your companies were recovered")
			now, err := os.ReadFile(path)
			return told || (err == nil && !bytes.Equal(now, cut))
		})
	}
	h.ui(func() {
		if h.shell.dash.root != dash {
			t.Error("the dashboard was loaded again to say it")
		}
	})
}
