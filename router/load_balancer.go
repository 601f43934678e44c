package router

import "sync/atomic"

// loadBalancer spreads the requests of one app round robin across those of
// its targets that are healthy at the time of each request. Its target list
// never changes; an Update builds a new balancer.
type loadBalancer struct {
	targets []*target
	next    atomic.Uint64
	state   *appState // the app's, handed on from balancer to balancer
}

// pick returns the next healthy target other than skip, or nil when there
// is none. Counting first and then taking the k-th healthy target keeps the
// rotation even when some targets are down, without allocating.
func (lb *loadBalancer) pick(skip *target) *target { return lb.pickIn(0, skip) }

// pickIn is pick among the targets of release, or of every release when
// release is 0.
func (lb *loadBalancer) pickIn(release int, skip *target) *target {
	n := lb.countHealthy(release, skip)
	if n == 0 {
		return nil
	}
	k := (lb.next.Add(1) - 1) % uint64(n)
	for _, t := range lb.targets {
		if !eligible(t, skip, release) {
			continue
		}
		if k == 0 {
			return t
		}
		k--
	}
	// Health changed between the two passes: fall back to any target.
	return lb.first(release, skip)
}

func (lb *loadBalancer) countHealthy(release int, skip *target) int {
	n := 0
	for _, t := range lb.targets {
		if eligible(t, skip, release) {
			n++
		}
	}
	return n
}

func (lb *loadBalancer) first(release int, skip *target) *target {
	for _, t := range lb.targets {
		if eligible(t, skip, release) {
			return t
		}
	}
	return nil
}

func eligible(t, skip *target, release int) bool {
	return t != skip && (release == 0 || t.inst.Release == release) && t.isHealthy()
}
