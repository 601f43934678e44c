package pipeline

import (
	"bytes"
	"context"
	"io"
	"sync"
	"time"
)

// buildLogFlushBytes is how much build output is kept in memory before it
// is appended to the database, so `paas builds:info` shows a running build.
const buildLogFlushBytes = 16 << 10

// buildLogFlushEvery bounds how long output waits in memory, so that the
// console's live build log follows a build that prints little.
const buildLogFlushEvery = 500 * time.Millisecond

// buildLog copies build output to the pusher (indented, as Heroku does) and
// to the database.
type buildLog struct {
	ctx   context.Context
	store Builds
	id    int64
	out   io.Writer

	mu    sync.Mutex
	buf   bytes.Buffer
	timer *time.Timer // pending flush of buf; nil when none
}

func newBuildLog(ctx context.Context, store Builds, id int64, out io.Writer) *buildLog {
	return &buildLog{ctx: ctx, store: store, id: id, out: indent(out)}
}

func (l *buildLog) Write(p []byte) (int, error) {
	l.out.Write(p) // the pusher may hang up; the build and its log go on
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if l.buf.Len() >= buildLogFlushBytes {
		l.flush()
	} else if l.timer == nil {
		l.timer = time.AfterFunc(buildLogFlushEvery, l.flushLater)
	}
	return len(p), nil
}

// Close appends what is left of the output.
func (l *buildLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	l.flush()
	return nil
}

// flushLater appends the output that waited buildLogFlushEvery.
func (l *buildLog) flushLater() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer = nil
		l.flush()
	}
}

func (l *buildLog) flush() {
	if l.buf.Len() == 0 {
		return
	}
	ctx := context.WithoutCancel(l.ctx)
	if err := l.store.AppendBuildLog(ctx, l.id, l.buf.Bytes()); err == nil {
		l.buf.Reset()
	}
}

// indentWriter starts every line with seven spaces, under the "----->"
// headings.
type indentWriter struct {
	w       io.Writer
	midLine bool
}

func indent(w io.Writer) io.Writer { return &indentWriter{w: w} }

func (iw *indentWriter) Write(p []byte) (int, error) {
	var out bytes.Buffer
	for _, c := range p {
		if !iw.midLine {
			out.WriteString("       ")
			iw.midLine = true
		}
		out.WriteByte(c)
		if c == '\n' || c == '\r' {
			iw.midLine = false
		}
	}
	_, err := iw.w.Write(out.Bytes())
	return len(p), err
}
