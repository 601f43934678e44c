// Package routerlog reads paas-router's JSON log file and turns the lines
// about one app (its requests and its instances' health) into lines of the
// app's log, as Heroku's router lines: "at=info method=GET path=/ …". It
// only reads the file the router writes, so the router needs no link to
// the control plane and keeps working without it.
package routerlog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

// tailBytes is how much of the end of the file Recent reads.
const tailBytes = 4 << 20

// pollInterval is how often Follow looks for new lines.
const pollInterval = 500 * time.Millisecond

// Reader reads one router log file.
type Reader struct {
	path string
}

// New returns a Reader of the file at path. A missing file reads as empty.
func New(path string) *Reader { return &Reader{path: path} }

// Recent returns up to n of app's latest router lines, oldest first.
func (r *Reader) Recent(app string, n int) []paas.LogLine {
	f, err := os.Open(r.path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > tailBytes {
		f.Seek(fi.Size()-tailBytes, io.SeekStart)
	}
	var lines []paas.LogLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l, ok := parse(sc.Bytes(), app); ok {
			lines = append(lines, l)
		}
	}
	return lines[max(0, len(lines)-n):]
}

// Follow sends app's new router lines until ctx ends. It starts at the
// end of the file and starts over when the file is truncated or replaced.
func (r *Reader) Follow(ctx context.Context, app string) <-chan paas.LogLine {
	ch := make(chan paas.LogLine, 64)
	go func() {
		defer close(ch)
		var off int64 = -1
		var partial []byte
		t := time.NewTicker(pollInterval)
		defer t.Stop()
		for {
			off, partial = r.poll(app, off, partial, ch)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return ch
}

// poll reads what was appended since off and sends app's complete lines.
func (r *Reader) poll(app string, off int64, partial []byte, ch chan<- paas.LogLine) (int64, []byte) {
	f, err := os.Open(r.path)
	if err != nil {
		return off, partial
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return off, partial
	}
	if off < 0 || fi.Size() < off {
		return fi.Size(), nil // first look, or the file was truncated
	}
	f.Seek(off, io.SeekStart)
	data, _ := io.ReadAll(io.LimitReader(f, tailBytes))
	off += int64(len(data))
	data = append(partial, data...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		if l, ok := parse(data[:i], app); ok {
			select {
			case ch <- l:
			default:
			}
		}
		data = data[i+1:]
	}
	return off, append([]byte(nil), data...)
}

// entry is the part of a router log line this package reads.
type entry struct {
	Time       time.Time `json:"time"`
	Level      string    `json:"level"`
	Msg        string    `json:"msg"`
	App        string    `json:"app"`
	Release    int       `json:"release"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"duration_ms"`
	RequestID  string    `json:"request_id"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Bytes      int64     `json:"bytes"`
	Addr       string    `json:"addr"`
	Error      string    `json:"error"`
}

// parse turns one JSON line about app into a log line.
func parse(raw []byte, app string) (paas.LogLine, bool) {
	if !bytes.Contains(raw, []byte(`"app":"`+app+`"`)) {
		return paas.LogLine{}, false
	}
	var e entry
	if json.Unmarshal(raw, &e) != nil || e.App != app {
		return paas.LogLine{}, false
	}
	return paas.LogLine{Time: e.Time.UTC(), Source: "router", Text: describe(e)}, true
}

func describe(e entry) string {
	at := "info"
	if e.Status >= 500 || strings.EqualFold(e.Level, "error") {
		at = "error"
	}
	if e.Msg == "request" {
		s := fmt.Sprintf("at=%s method=%s path=%q status=%d release=v%d request_id=%s duration=%.1fms bytes=%d",
			at, e.Method, e.Path, e.Status, e.Release, e.RequestID, e.DurationMS, e.Bytes)
		if e.Error != "" {
			s += fmt.Sprintf(" error=%q", e.Error)
		}
		return s
	}
	s := fmt.Sprintf("at=%s %s release=v%d", strings.ToLower(e.Level), e.Msg, e.Release)
	if e.Addr != "" {
		s += " addr=" + e.Addr
	}
	if e.Error != "" {
		s += fmt.Sprintf(" error=%q", e.Error)
	}
	return s
}
