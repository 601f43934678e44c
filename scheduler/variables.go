package scheduler

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/nomad/api"
)

// variableSet is a kind of record the platform keeps in Nomad variables
// under one prefix, one variable each: routes, domains.
type variableSet[T comparable] struct {
	what   string // for messages: "route", "domain"
	prefix string
	// parse turns a variable into its record; an error leaves the variable
	// out, with a warning.
	parse   func(path string, items api.VariableItems) (T, error)
	compare func(a, b T) int // the order of the records handed out
}

// cachedVariable is a record read at its variable's modify index, so that
// a change to one variable reads only that one again.
type cachedVariable[T any] struct {
	index  uint64
	record T
}

// listVariables reads every record of set now.
func listVariables[T comparable](ctx context.Context, s *Scheduler, set variableSet[T]) ([]T, error) {
	metas, _, err := s.client.Variables().PrefixList(set.prefix, query(ctx))
	if err != nil {
		return nil, fmt.Errorf("list %ss: %w", set.what, nomadError(err))
	}
	return readVariables(ctx, s, set, metas, map[string]cachedVariable[T]{})
}

// watchVariables calls fn with every record of set: once when it first reads them,
// then each time one changes. It waits for changes with blocking queries.
// While Nomad does not answer it logs, backs off and retries without
// calling fn, so that the consumer keeps the records it knows. It returns
// nil when ctx ends.
func watchVariables[T comparable](ctx context.Context, s *Scheduler, set variableSet[T], fn func([]T)) error {
	var (
		index   uint64
		backoff time.Duration
		last    []T
		known   bool
		cache   = map[string]cachedVariable[T]{}
	)
	for ctx.Err() == nil {
		metas, qm, err := s.client.Variables().PrefixList(set.prefix, blocking(ctx, index, blockingWait))
		if err == nil {
			var records []T
			records, err = readVariables(ctx, s, set, metas, cache)
			if err == nil {
				backoff, index = 0, nextIndex(qm.LastIndex)
				if !known || !slices.Equal(records, last) {
					fn(slices.Clone(records))
					last, known = records, true
				}
				continue
			}
		}
		if ctx.Err() != nil {
			break
		}
		backoff = min(max(2*backoff, watchBackoffMin), watchBackoffMax)
		s.log.Warn("watch "+set.what+"s", "error", err, "retry_in", backoff.String())
		sleep(ctx, backoff)
		index = 0
	}
	return nil
}

// readVariables returns the records of the variables metas lists, reading through
// cache only those that changed, and drops from cache those gone.
func readVariables[T comparable](ctx context.Context, s *Scheduler, set variableSet[T], metas []*api.VariableMetadata, cache map[string]cachedVariable[T]) ([]T, error) {
	seen := map[string]bool{}
	var records []T
	for _, m := range metas {
		seen[m.Path] = true
		c, ok := cache[m.Path]
		if !ok || c.index != m.ModifyIndex {
			v, _, err := s.client.Variables().Peek(m.Path, query(ctx))
			if err != nil {
				return nil, fmt.Errorf("read %s %s: %w", set.what, m.Path, nomadError(err))
			}
			if v == nil {
				continue // deleted since the listing
			}
			r, err := set.parse(m.Path, v.Items)
			if err != nil {
				s.log.Warn(set.what+" ignored", "path", m.Path, "error", err)
				continue
			}
			c = cachedVariable[T]{index: m.ModifyIndex, record: r}
			cache[m.Path] = c
		}
		records = append(records, c.record)
	}
	for p := range cache {
		if !seen[p] {
			delete(cache, p)
		}
	}
	slices.SortFunc(records, set.compare)
	return records, nil
}
