package scheduler

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// Backoff bounds of WatchInstances while Nomad does not answer.
const (
	watchBackoffMin = 500 * time.Millisecond
	watchBackoffMax = 15 * time.Second
)

// WatchInstances follows Nomad's service catalogue and calls fn with the
// full set of web instances of all apps: once when it first reads the
// catalogue, then each time the set changes. It waits for changes with
// blocking queries. While Nomad does not answer it logs, backs off and
// retries without calling fn, so that a consumer keeps its last known
// set. The set holds instances whose health checks may still fail; the
// consumer checks HealthPath itself. WatchInstances returns nil when ctx
// ends.
func (s *Scheduler) WatchInstances(ctx context.Context, fn func([]paas.Instance)) error {
	var (
		last     []paas.Instance
		reported bool
		index    uint64
		backoff  time.Duration
	)
	for ctx.Err() == nil {
		insts, next, err := s.instances(ctx, index)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			backoff = min(max(2*backoff, watchBackoffMin), watchBackoffMax)
			s.log.Warn("watch service catalogue", "error", err, "retry_in", backoff.String())
			sleep(ctx, backoff)
			index = 0
			continue
		}
		backoff, index = 0, next
		if !reported || !slices.Equal(insts, last) {
			fn(slices.Clone(insts))
			last, reported = insts, true
		}
	}
	return nil
}

// Instances returns the web instances of all apps that are now in the
// service catalogue.
func (s *Scheduler) Instances(ctx context.Context) ([]paas.Instance, error) {
	insts, _, err := s.instances(ctx, 0)
	return insts, err
}

// instances reads the catalogue once its index passes index, and returns
// the instances with the index to wait on next.
func (s *Scheduler) instances(ctx context.Context, index uint64) ([]paas.Instance, uint64, error) {
	lists, qm, err := s.client.Services().List(blocking(ctx, index, blockingWait))
	if err != nil {
		return nil, 0, fmt.Errorf("list services: %w", nomadError(err))
	}
	var out []paas.Instance
	for _, ns := range lists {
		for _, svc := range ns.Services {
			if !isPaasService(svc.ServiceName) {
				continue
			}
			q := query(ctx)
			q.Namespace = ns.Namespace
			regs, _, err := s.client.Services().Get(svc.ServiceName, q)
			if err != nil {
				return nil, 0, fmt.Errorf("get service %s: %w", svc.ServiceName, nomadError(err))
			}
			for _, reg := range regs {
				if inst, ok := instanceOf(reg); ok {
					out = append(out, inst)
				}
			}
		}
	}
	slices.SortFunc(out, compareInstances)
	return out, nextIndex(qm.LastIndex), nil
}

func isPaasService(name string) bool {
	return strings.HasPrefix(name, "paas-") && strings.HasSuffix(name, "-"+WebProcess)
}

// instanceOf reads an instance from a service registration made by a job
// of this package; other registrations are not instances.
func instanceOf(reg *api.ServiceRegistration) (paas.Instance, bool) {
	inst := paas.Instance{AllocID: reg.AllocID, HealthPath: "/"}
	for _, tag := range reg.Tags {
		switch {
		case strings.HasPrefix(tag, tagApp):
			inst.App = strings.TrimPrefix(tag, tagApp)
		case strings.HasPrefix(tag, tagRelease):
			inst.Release, _ = strconv.Atoi(strings.TrimPrefix(tag, tagRelease))
		case strings.HasPrefix(tag, tagHealth):
			inst.HealthPath = strings.TrimPrefix(tag, tagHealth)
		}
	}
	if inst.App == "" || inst.Release < 1 || reg.Address == "" || reg.Port <= 0 || reg.ServiceName != ServiceName(inst.App) {
		return paas.Instance{}, false
	}
	inst.Addr = net.JoinHostPort(reg.Address, strconv.Itoa(reg.Port))
	return inst, true
}

func compareInstances(a, b paas.Instance) int {
	return cmp.Or(
		strings.Compare(a.App, b.App),
		cmp.Compare(a.Release, b.Release),
		strings.Compare(a.Addr, b.Addr),
		strings.Compare(a.AllocID, b.AllocID),
	)
}
