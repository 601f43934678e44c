package scheduler

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/nomad/api"
)

// tailBytes is how much of the end of each log stream is read; enough for
// tailLines lines of ordinary length.
const tailBytes = 8 << 10

// maxLineLen clips very long lines of output in an error message.
const maxLineLen = 300

// tailLogs returns the last n lines that task wrote in allocation allocID,
// shared between stdout and stderr.
func (s *Scheduler) tailLogs(ctx context.Context, allocID, task string, n int) ([]string, error) {
	alloc, _, err := s.client.Allocations().Info(allocID, query(ctx))
	if err != nil {
		return nil, fmt.Errorf("look up allocation %s: %w", allocID, nomadError(err))
	}
	stdout, err := s.readLogEnd(ctx, alloc, task, "stdout")
	if err != nil {
		return nil, err
	}
	stderr, err := s.readLogEnd(ctx, alloc, task, "stderr")
	if err != nil {
		return nil, err
	}
	return tailBoth(lastLines(stdout, n), lastLines(stderr, n), n), nil
}

// readLogEnd reads the last tailBytes of one log stream of a task.
func (s *Scheduler) readLogEnd(ctx context.Context, alloc *api.Allocation, task, stream string) ([]byte, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Closing cancel stops the decoder once it is between frames; ending ctx
	// unblocks it when it waits on the connection.
	frames, errs := s.client.AllocFS().Logs(alloc, false, task, stream, "end", tailBytes, ctx.Done(), query(ctx))
	var buf bytes.Buffer
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				return buf.Bytes(), nil
			}
			buf.Write(f.Data)
		case err := <-errs:
			return nil, fmt.Errorf("read %s of allocation %s: %w", stream, alloc.ID, nomadError(err))
		case <-ctx.Done():
			drainFrames(frames, errs)
			return nil, ctx.Err()
		}
	}
}

// lastLines returns the last n complete or partial lines of b, clipped.
// The first line is dropped when b starts mid-line, which it usually does
// when it is the end of a longer log.
func lastLines(b []byte, n int) []string {
	text := strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	if len(b) >= tailBytes && len(lines) > 1 {
		lines = lines[1:]
	}
	lines = lines[max(0, len(lines)-n):]
	for i, l := range lines {
		lines[i] = clip(l, maxLineLen)
	}
	return lines
}

// tailBoth keeps at most n lines of two streams, stdout's before stderr's
// since the order between them is lost. Each stream gets half of n, and
// the share one does not use goes to the other.
func tailBoth(stdout, stderr []string, n int) []string {
	keepOut := min(len(stdout), max(n/2, n-len(stderr)))
	keepErr := min(len(stderr), n-keepOut)
	out := append([]string{}, stdout[len(stdout)-keepOut:]...)
	return append(out, stderr[len(stderr)-keepErr:]...)
}

// drainFrames consumes what a log stream still sends after its reader gave
// up because the request's context ended, so that the client's goroutine
// behind it can end: that ends with a closed frame channel or an error.
func drainFrames(frames <-chan *api.StreamFrame, errs <-chan error) {
	go func() {
		for {
			select {
			case _, ok := <-frames:
				if !ok {
					return
				}
			case <-errs:
				return
			}
		}
	}()
}
