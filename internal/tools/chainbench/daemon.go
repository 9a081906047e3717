package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// daemonPackage is the import path of the daemon binary.
const daemonPackage = "github.com/nodecoin/nodecoin/cmd/nodecoin"

// Time limits of the daemon run: the import, and the shutdown after
// SIGTERM.
const (
	daemonImportTimeout = 15 * time.Minute
	daemonStopTimeout   = 2 * time.Minute
)

// daemonStats is the outcome of figure 3.
type daemonStats struct {
	// PeakRSS is the daemon's VmHWM in bytes once the import finished.
	PeakRSS int64
	// Ready is the time from starting the process to its "node ready"
	// line; Import from its "importing blocks" line to "block import
	// finished".
	Ready, Import time.Duration
	// Height is the tip height the import finished at.
	Height int
	// CacheMiB is the largest coin cache usage the daemon logged
	// (cache_mib, including its shutdown flush); FlushesDuringImport
	// counts the chain state flushes before the import finished.
	CacheMiB, FlushesDuringImport int
}

var (
	heightField   = regexp.MustCompile(`\bheight=(\d+)\b`)
	cacheMiBField = regexp.MustCompile(`\bcache_mib=(\d+)\b`)
)

// buildDaemon builds the nodecoin binary into dir with the given go
// command and returns its path.
func buildDaemon(goCmd, dir string) (string, error) {
	bin := filepath.Join(dir, "nodecoin")
	cmd := exec.Command(goCmd, "build", "-o", bin, daemonPackage)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", daemonPackage, err, out.Bytes())
	}
	return bin, nil
}

// runDaemon runs `nodecoin daemon --network regtest` on a new data dir in
// workDir, importing blkPath with the default --dbcache, waits for the
// "block import finished" line, reads the peak RSS (VmHWM, also polled
// meanwhile), then stops it with SIGTERM and checks that it exits cleanly.
// The daemon's log goes to workDir/daemon.log.
func runDaemon(bin, blkPath, workDir string) (daemonStats, error) {
	var st daemonStats
	dataDir := filepath.Join(workDir, "daemon-data")
	logPath := filepath.Join(workDir, "daemon.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return st, fmt.Errorf("create daemon log: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "daemon", "--network", "regtest", "--datadir", dataDir, "--loadblock", blkPath, "--rpc-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--listen", "off")
	// Log lines are copied to the log file; the milestones are timed as
	// they arrive. exec's copying goroutine ends before Wait returns.
	type event struct {
		at   time.Time
		line string
	}
	events := make(chan event, 64)
	exited := make(chan struct{})
	var (
		cacheMu      sync.Mutex
		importEnded  bool
		cacheMiB     int
		importFlushs int
	)
	lw := &lineWriter{out: logFile, fn: func(line string) {
		cacheMu.Lock()
		if m := cacheMiBField.FindStringSubmatch(line); m != nil {
			v, _ := strconv.Atoi(m[1])
			cacheMiB = max(cacheMiB, v)
		}
		if strings.Contains(line, `msg="chain state flushed"`) && !importEnded {
			importFlushs++
		}
		if strings.Contains(line, `msg="block import finished"`) {
			importEnded = true
		}
		cacheMu.Unlock()
		if strings.Contains(line, `msg="node ready"`) || strings.Contains(line, `msg="importing blocks"`) ||
			strings.Contains(line, `msg="block import finished"`) || strings.Contains(line, "level=ERROR") {
			select {
			case events <- event{time.Now(), line}:
			default: // nobody is listening any more
			}
		}
	}}
	cmd.Stdout, cmd.Stderr = lw, lw
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return st, fmt.Errorf("start daemon: %w", err)
	}
	pid := cmd.Process.Pid
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()

	// Poll VmHWM until the process is reaped.
	var (
		peakMu sync.Mutex
		peak   int64
	)
	pollStop := make(chan struct{})
	var pollDone sync.WaitGroup
	pollDone.Add(1)
	go func() {
		defer pollDone.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if v, err := readVmHWM(pid); err == nil {
				peakMu.Lock()
				peak = max(peak, v)
				peakMu.Unlock()
			}
			select {
			case <-pollStop:
				return
			case <-t.C:
			}
		}
	}()

	stopPoll := sync.OnceFunc(func() {
		close(pollStop)
		pollDone.Wait()
	})
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		defer stopPoll()
		select {
		case <-exited:
			return fmt.Errorf("daemon exited early (%v); log %s", waitErr, logPath)
		default:
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			return fmt.Errorf("signal daemon: %w", err)
		}
		select {
		case <-exited:
			if waitErr != nil {
				return fmt.Errorf("daemon exit after SIGTERM: %w (log %s)", waitErr, logPath)
			}
			return nil
		case <-time.After(daemonStopTimeout):
			cmd.Process.Kill()
			<-exited
			return fmt.Errorf("daemon did not stop within %v of SIGTERM (log %s)", daemonStopTimeout, logPath)
		}
	}
	defer stop()

	var importStart time.Time
	timeout := time.After(daemonImportTimeout)
	for finished := false; !finished; {
		select {
		case ev := <-events:
			switch {
			case strings.Contains(ev.line, "level=ERROR"):
				return st, fmt.Errorf("daemon logged an error: %s (log %s)", ev.line, logPath)
			case strings.Contains(ev.line, `msg="node ready"`):
				st.Ready = ev.at.Sub(start)
			case strings.Contains(ev.line, `msg="importing blocks"`):
				importStart = ev.at
			case strings.Contains(ev.line, `msg="block import finished"`):
				if importStart.IsZero() {
					importStart = start
				}
				st.Import = ev.at.Sub(importStart)
				if m := heightField.FindStringSubmatch(ev.line); m != nil {
					st.Height, _ = strconv.Atoi(m[1])
				}
				finished = true
			}
		case <-exited:
			stopped = true
			stopPoll()
			return st, fmt.Errorf("daemon exited before finishing the import (%v); log %s", waitErr, logPath)
		case <-timeout:
			return st, fmt.Errorf("daemon import did not finish within %v; log %s", daemonImportTimeout, logPath)
		}
	}
	v, err := readVmHWM(pid)
	if err != nil {
		return st, err
	}
	peakMu.Lock()
	st.PeakRSS = max(peak, v)
	peakMu.Unlock()
	err = stop() // the daemon has exited when stop returns
	cacheMu.Lock()
	st.CacheMiB, st.FlushesDuringImport = cacheMiB, importFlushs
	cacheMu.Unlock()
	return st, err
}

// lineWriter passes each complete line written to it to fn and copies
// everything to out.
type lineWriter struct {
	mu   sync.Mutex
	out  io.Writer
	fn   func(line string)
	part []byte
}

// Write implements io.Writer.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.out.Write(p); err != nil {
		return 0, err
	}
	w.part = append(w.part, p...)
	for {
		i := bytes.IndexByte(w.part, '\n')
		if i < 0 {
			break
		}
		w.fn(string(w.part[:i]))
		w.part = w.part[i+1:]
	}
	if len(w.part) == 0 {
		w.part = nil
	}
	return len(p), nil
}

// readVmHWM returns the peak resident set size of process pid in bytes,
// from /proc/<pid>/status.
func readVmHWM(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read process status: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) != 2 || f[1] != "kB" {
				return 0, fmt.Errorf("unexpected VmHWM line %q", line)
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmHWM line %q: %w", line, err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no VmHWM line in the process status")
}
