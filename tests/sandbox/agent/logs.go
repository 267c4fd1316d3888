package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node/api"
)

// A container's log keeps one line per output line, "RFC3339NANO STREAM TEXT", as the CRI log
// format does, so `kubectl logs` can honour --timestamps, --since and --tail.
type containerLog struct {
	mu sync.Mutex
	f  *os.File
}

func newContainerLog(path string) (*containerLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &containerLog{f: f}, nil
}

// Capture copies both streams into the log; the returned channel closes when both end.
func (l *containerLog) Capture(stdout, stderr io.ReadCloser) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for stream, r := range map[string]io.ReadCloser{"stdout": stdout, "stderr": stderr} {
		wg.Add(1)
		go func(stream string, r io.ReadCloser) {
			defer wg.Done()
			defer r.Close()
			br := bufio.NewReaderSize(r, 64*1024)
			for {
				line, err := br.ReadString('\n')
				if line != "" {
					l.write(stream, strings.TrimSuffix(line, "\n"))
				}
				if err != nil {
					return
				}
			}
		}(stream, r)
	}
	go func() { wg.Wait(); close(done) }()
	return done
}

func (l *containerLog) write(stream, text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.f.WriteString(time.Now().UTC().Format(time.RFC3339Nano) + " " + stream + " " + text + "\n")
}

func (l *containerLog) Close() error { return l.f.Close() }

type logLine struct {
	at   time.Time
	text string
}

func parseLogLine(line string) (logLine, bool) {
	ts, rest, ok := strings.Cut(line, " ")
	if !ok {
		return logLine{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return logLine{}, false
	}
	_, text, _ := strings.Cut(rest, " ")
	return logLine{at: at, text: text}, true
}

func formatLogLine(l logLine, opts api.ContainerLogOpts) string {
	if opts.Timestamps {
		return l.at.Format(time.RFC3339Nano) + " " + l.text + "\n"
	}
	return l.text + "\n"
}

// selectLogLines applies --since and --tail to a whole log.
func selectLogLines(data []byte, opts api.ContainerLogOpts, now time.Time) []logLine {
	var lines []logLine
	since := opts.SinceTime
	if opts.SinceSeconds > 0 {
		since = now.Add(-time.Duration(opts.SinceSeconds) * time.Second)
	}
	for _, raw := range strings.Split(string(data), "\n") {
		l, ok := parseLogLine(raw)
		if !ok || (!since.IsZero() && l.at.Before(since)) {
			continue
		}
		lines = append(lines, l)
	}
	if opts.Tail > 0 && len(lines) > opts.Tail {
		lines = lines[len(lines)-opts.Tail:]
	}
	return lines
}

// readContainerLog serves one log for `kubectl logs`. With Follow it keeps streaming new lines
// until ctx ends or stillRunning reports the run is over.
func readContainerLog(ctx context.Context, path string, opts api.ContainerLogOpts, stillRunning func() bool) (io.ReadCloser, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var head bytes.Buffer
	for _, l := range selectLogLines(data, opts, time.Now()) {
		head.WriteString(formatLogLine(l, opts))
	}
	if !opts.Follow {
		return io.NopCloser(limitBytes(&head, opts.LimitBytes)), nil
	}
	pr, pw := io.Pipe()
	go func() {
		defer pw.Close()
		if _, err := pw.Write(head.Bytes()); err != nil {
			return
		}
		f, err := os.Open(path)
		if err != nil {
			return
		}
		defer f.Close()
		f.Seek(int64(len(data)), io.SeekStart)
		br := bufio.NewReader(f)
		var partial string
		for {
			chunk, err := br.ReadString('\n')
			partial += chunk
			if err == nil {
				if l, ok := parseLogLine(strings.TrimSuffix(partial, "\n")); ok {
					if _, werr := pw.Write([]byte(formatLogLine(l, opts))); werr != nil {
						return
					}
				}
				partial = ""
				continue
			}
			if !stillRunning() {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	return pr, nil
}

func limitBytes(b *bytes.Buffer, n int) io.Reader {
	if n > 0 && b.Len() > n {
		return bytes.NewReader(b.Bytes()[:n])
	}
	return b
}
