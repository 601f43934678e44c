package scheduler

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// Logs sends fn the output of app's running processes: first the last
// q.Lines lines of each stream of each instance, then, with q.Follow, new
// lines as they are written, until ctx ends. fn is called from one
// goroutine at a time.
func (s *Scheduler) Logs(ctx context.Context, app string, q paas.LogQuery, fn func(paas.LogLine)) error {
	allocs, err := s.runningAllocs(ctx, app, q.Process)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	emit := func(l paas.LogLine) {
		mu.Lock()
		defer mu.Unlock()
		fn(l)
	}
	var wg sync.WaitGroup
	for _, a := range allocs {
		for _, stream := range []string{"stdout", "stderr"} {
			wg.Go(func() { s.streamAllocLog(ctx, a, stream, q, emit) })
		}
	}
	wg.Wait()
	return nil
}

// runningAllocs lists the allocations of app's jobs that should be running,
// of one process type or all.
func (s *Scheduler) runningAllocs(ctx context.Context, app, process string) ([]*api.Allocation, error) {
	jobs, err := s.appJobs(ctx, app)
	if err != nil {
		return nil, err
	}
	var out []*api.Allocation
	for _, j := range jobs {
		if j.stopped {
			continue
		}
		stubs, _, err := s.client.Jobs().Allocations(j.id, false, query(ctx))
		if err != nil {
			return nil, fmt.Errorf("list allocations of %s: %w", j.id, nomadError(err))
		}
		for _, st := range stubs {
			if st.DesiredStatus != api.AllocDesiredStatusRun || (process != "" && st.TaskGroup != process) {
				continue
			}
			a, _, err := s.client.Allocations().Info(st.ID, query(ctx))
			if err != nil {
				return nil, fmt.Errorf("look up allocation %s: %w", st.ID, nomadError(err))
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// streamAllocLog sends the tail of one stream of an instance and, when
// following, what it writes next.
func (s *Scheduler) streamAllocLog(ctx context.Context, a *api.Allocation, stream string, q paas.LogQuery, emit func(paas.LogLine)) {
	source := instanceName(a.Name)
	task := a.TaskGroup
	if q.Lines > 0 {
		if end, err := s.readLogEnd(ctx, a, task, stream); err == nil {
			for _, l := range lastLines(end, q.Lines) {
				emit(paas.LogLine{Time: time.Now().UTC(), Source: source, Text: l})
			}
		}
	}
	if !q.Follow {
		return
	}
	frames, errs := s.client.AllocFS().Logs(a, true, task, stream, "end", 0, ctx.Done(), query(ctx))
	var partial bytes.Buffer
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				return
			}
			partial.Write(f.Data)
			for {
				line, err := partial.ReadString('\n')
				if err != nil {
					partial.Reset()
					partial.WriteString(line)
					break
				}
				emit(paas.LogLine{Time: time.Now().UTC(), Source: source, Text: clip(strings.TrimRight(line, "\r\n"), 4096)})
			}
		case <-errs:
			return
		case <-ctx.Done():
			drainFrames(frames, errs)
			return
		}
	}
}
