package scheduler

import (
	"context"
	"time"

	"github.com/hashicorp/nomad/api"
)

// blockingWait bounds one blocking query. Answers come as soon as the
// watched state changes; the bound only limits how long a dead connection
// can go unnoticed.
const blockingWait = 30 * time.Second

// blocking returns query options for a blocking query that waits for an
// index greater than index.
func blocking(ctx context.Context, index uint64, wait time.Duration) *api.QueryOptions {
	q := query(ctx)
	q.WaitIndex = index
	q.WaitTime = wait
	return q
}

// nextIndex returns the index to wait on after an answer at last. Nomad's
// index can go backwards when the cluster state was reset, and an index of
// zero would turn the blocking query into a busy loop.
func nextIndex(last uint64) uint64 { return max(last, 1) }

// follow runs a blocking query in a loop until ctx ends and sends every
// answer to out. Errors go to errs, if it has room, and are retried after a
// pause, so a restarting agent only delays the answers.
func follow[T any](ctx context.Context, get func(*api.QueryOptions) (T, *api.QueryMeta, error), out chan<- T, errs chan<- error) {
	var index uint64
	for ctx.Err() == nil {
		v, qm, err := get(blocking(ctx, index, blockingWait))
		if err != nil {
			select {
			case errs <- err:
			default:
			}
			sleep(ctx, 500*time.Millisecond)
			index = 0
			continue
		}
		index = nextIndex(qm.LastIndex)
		select {
		case out <- v:
		case <-ctx.Done():
		}
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
