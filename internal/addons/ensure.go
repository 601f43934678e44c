package addons

import (
	"context"
	"io"

	"github.com/gitpaas/paas"
)

// EnsureRunning starts again the job of every available add-on whose job
// was stopped or removed outside the platform, with the same port, data
// directory and password, so its apps' URLs work again. It returns the
// names it restarted; one add-on failing does not stop the others.
func (s *Service) EnsureRunning(ctx context.Context) ([]string, error) {
	all, err := s.store.ListAddons(ctx, "")
	if err != nil {
		return nil, err
	}
	var restarted []string
	for _, a := range all {
		if a.State != paas.AddonAvailable {
			continue
		}
		ok, err := s.ensure(ctx, a)
		if err != nil {
			s.logger.Warn("restart add-on", "addon", a.Name, "error", err)
			continue
		}
		if ok {
			restarted = append(restarted, a.Name)
		}
	}
	return restarted, nil
}

// ensure registers a's job again when Nomad has none running, and reports
// whether it did. It holds the add-on's lock and reads the add-on again, so
// that it never restarts one a concurrent destroy is removing.
func (s *Service) ensure(ctx context.Context, a *paas.Addon) (bool, error) {
	unlock := s.lock(a.Name)
	defer unlock()
	a, err := s.store.GetAddon(ctx, a.Name)
	if paas.ErrorCode(err) == paas.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	status, err := s.runner.AddonStatus(ctx, a.Name)
	if err != nil || (status != "missing" && status != "stopped") {
		return false, err
	}
	p, inst, err := s.instance(a)
	if err != nil {
		return false, err
	}
	j := p.Job(inst)
	j.Addon, j.Type, j.Port, j.DataDir = a.Name, a.Type, a.Port, s.dataDir(a.Name)
	if _, err := s.runner.DeployAddon(ctx, j, io.Discard); err != nil {
		return false, err
	}
	s.logger.Warn("add-on job was gone; started it again", "addon", a.Name, "status", status)
	return true, nil
}
