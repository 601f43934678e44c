package appspec

import "path"

// Canonicalize fills in every default, in this one place: a web process
// running the image's CMD when there are no processes, 100 MHz and 128 MB per
// process, one instance, a health check of "/" every 2s, the blue-green
// strategy, and a canary progression when the strategy is canary. It is
// idempotent and leaves values that are set alone, valid or not.
func (s *Spec) Canonicalize() {
	if s == nil {
		return
	}
	s.Build.canonicalize()
	if len(s.Processes) == 0 {
		s.Processes = map[string]Process{webProcess: {}}
	}
	for name, p := range s.Processes {
		p.canonicalize()
		s.Processes[name] = p
	}
	if len(s.Release) == 0 {
		s.Release = nil
	}
	s.Health.canonicalize()
	if s.Env == nil {
		s.Env = map[string]string{}
	}
	if s.Addons == nil {
		s.Addons = []string{}
	}
	s.Deploy.canonicalize()
}

func (b *Build) canonicalize() {
	if b.Dockerfile != "" {
		b.Dockerfile = path.Clean(b.Dockerfile)
	}
	if len(b.Command) == 0 {
		b.Command = nil
	}
}

func (p *Process) canonicalize() {
	if len(p.Command) == 0 {
		p.Command = nil
	}
	if p.CPU == 0 {
		p.CPU = defaultCPU
	}
	if p.Memory == 0 {
		p.Memory = defaultMemory
	}
	p.Scale.canonicalize()
}

// canonicalize makes an unset count start at the lower bound (at one for
// a process that may go to zero), and unset bounds equal the count, so that
// a plain count means a fixed scale.
func (s *Scale) canonicalize() {
	if s.Count == 0 {
		s.Count = max(s.Min, defaultCount)
	}
	if s.Min == 0 && !s.ToZero {
		s.Min = s.Count
	}
	if s.Max == 0 {
		s.Max = s.Count
	}
}

// canonicalize keeps the default timeout within a short interval.
func (h *Health) canonicalize() {
	if h.Path == "" {
		h.Path = defaultHealthPath
	}
	if h.Interval == 0 {
		h.Interval = defaultHealthInterval
	}
	if h.Timeout == 0 {
		h.Timeout = min(defaultHealthTimeout, h.Interval)
	}
}

func (d *Deploy) canonicalize() {
	if d.Strategy == "" {
		d.Strategy = defaultStrategy
	}
	if d.Strategy == StrategyCanary && d.Canary == nil {
		d.Canary = &Canary{}
	}
	if d.Canary != nil {
		d.Canary.canonicalize()
	}
}

// canonicalize makes the first weight and the steps agree: either one
// given fills in the other.
func (c *Canary) canonicalize() {
	if c.Weight == 0 && len(c.Steps) > 0 {
		c.Weight = c.Steps[0]
	}
	if c.Weight == 0 {
		c.Weight = defaultCanaryWeight
	}
	if len(c.Steps) == 0 {
		c.Steps = []int{c.Weight}
		if c.Weight < maxWeight {
			c.Steps = append(c.Steps, maxWeight)
		}
	}
	if c.Interval == 0 {
		c.Interval = defaultCanaryInterval
	}
}
