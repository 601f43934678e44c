package logbus

import (
	"context"
	"slices"
	"sync"

	"github.com/gitpaas/paas"
)

// Source is anything that holds lines of apps' logs.
type Source interface {
	Recent(app string, n int) []paas.LogLine
	Follow(ctx context.Context, app string) <-chan paas.LogLine
}

// Join reads several sources as one: recent lines merged by time, and new
// lines of all of them as they come.
func Join(sources ...Source) Source { return joined(sources) }

type joined []Source

// Recent returns up to n of app's latest lines across the sources, oldest
// first.
func (j joined) Recent(app string, n int) []paas.LogLine {
	var all []paas.LogLine
	for _, s := range j {
		all = append(all, s.Recent(app, n)...)
	}
	slices.SortStableFunc(all, func(a, b paas.LogLine) int { return a.Time.Compare(b.Time) })
	return all[max(0, len(all)-n):]
}

// Follow merges the sources' new lines until ctx ends.
func (j joined) Follow(ctx context.Context, app string) <-chan paas.LogLine {
	out := make(chan paas.LogLine, 64)
	var wg sync.WaitGroup
	for _, s := range j {
		in := s.Follow(ctx, app)
		wg.Go(func() {
			for {
				select {
				case l, ok := <-in:
					if !ok {
						return
					}
					select {
					case out <- l:
					case <-ctx.Done():
						return
					}
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(out) }()
	return out
}
