package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// BenchmarkColdStart measures, under Xvfb, the time from starting the process to its window
// being mapped, for the app and for a bare Fyne window built the same way
// (internal/bench/barewindow), in the same run; and the peak memory (max RSS) of each.
func BenchmarkColdStart(b *testing.B) {
	testenv.Need(b)
	bare := filepath.Join(b.TempDir(), "barewindow")
	if out, err := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", bare, "./internal/bench/barewindow").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	programs := []struct{ name, bin, title string }{
		{"app", buildBinary(b), "Lightspeed Connect"},
		{"bare-fyne", bare, "Bare Fyne window"},
	}
	for _, p := range programs {
		b.Run(p.name, func(b *testing.B) {
			var peakKB int64
			for b.Loop() {
				peakKB = max(peakKB, startUntilWindow(b, p.bin, p.title))
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/start")
			b.ReportMetric(float64(peakKB)/1024, "peak-MiB")
		})
	}
}

// startUntilWindow starts bin with a fresh HOME, waits for its window, stops it and returns
// its peak resident memory in KiB.
func startUntilWindow(b *testing.B, bin, title string) int64 {
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "HOME="+b.TempDir(), "XDG_CONFIG_HOME="+b.TempDir())
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^"+title+"$").Output()
		if len(out) > 0 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			b.Fatalf("%s: no window within 60 s", title)
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	_ = cmd.Process.Kill()
	<-exited
	b.StartTimer()
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return usage.Maxrss
	}
	return 0
}
