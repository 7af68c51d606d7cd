package dist

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStartToFirstWindow measures the time from starting the
// packaged Linux program (no arguments: the desktop application) to its
// first top-level window being mapped on the X server, on a private Xvfb,
// with a fresh HOME each time (first run: no preferences, no caches).
//
// Method: xev listens to the root window's substructure events; the clock
// starts just before exec and stops when xev reports the MapNotify of the
// program's window. The program is then ended and the next run starts.
func BenchmarkStartToFirstWindow(b *testing.B) {
	m := readMeta(b)
	_, bin := unpackLinux(b, m)
	display := startXvfb(b)
	maps := watchMaps(b, display)

	var total time.Duration
	n := 0
	for b.Loop() {
		home := b.TempDir()
		cmd := exec.Command(bin)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DISPLAY=" + display, "HOME=" + home,
			"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
			"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"), "LANG=C.UTF-8"}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		select {
		case <-maps:
			total += time.Since(start)
			n++
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			b.Fatal("no window within 60 s")
		}
		b.StopTimer()
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		b.StartTimer()
	}
	if n > 0 {
		b.ReportMetric(float64(total.Milliseconds())/float64(n), "ms/window")
	}
}

// startXvfb starts a private X server on a display number it picks itself
// and returns the display (":N").
func startXvfb(tb testing.TB) string {
	tb.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("Xvfb: %v (install xvfb: scripts/install-deps.sh does)", err)
	}
	w.Close()
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
		r.Close()
	}()
	select {
	case n := <-line:
		if n == "" {
			tb.Fatal("Xvfb did not start")
		}
		return ":" + n
	case <-time.After(30 * time.Second):
		tb.Fatal("Xvfb did not start within 30 s")
	}
	return ""
}

// watchMaps starts xev on the root window of display and sends a value
// for each top-level window mapped. It returns once xev is listening,
// which it checks by mapping a window of its own.
func watchMaps(tb testing.TB, display string) <-chan struct{} {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	xev := exec.CommandContext(ctx, "xev", "-display", display, "-root", "-event", "substructure")
	out, err := xev.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := xev.Start(); err != nil {
		tb.Fatalf("xev: %v (install x11-utils: scripts/install-deps.sh does)", err)
	}
	tb.Cleanup(func() { cancel(); xev.Wait() })
	maps := make(chan struct{}, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "MapNotify event") {
				maps <- struct{}{}
			}
		}
		io.Copy(io.Discard, out)
	}()
	// A second xev, with a window of its own, until the first sees it.
	for i := 0; ; i++ {
		probe := exec.Command("xev", "-display", display, "-geometry", "10x10")
		probe.Stdout = io.Discard
		if err := probe.Start(); err != nil {
			tb.Fatal(err)
		}
		select {
		case <-maps:
			probe.Process.Kill()
			probe.Wait()
			return maps
		case <-time.After(2 * time.Second):
			probe.Process.Kill()
			probe.Wait()
			if i == 5 {
				tb.Fatal(fmt.Errorf("xev on %s reports no window mapped", display))
			}
		}
	}
}
