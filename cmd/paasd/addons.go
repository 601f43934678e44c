package main

import (
	"github.com/gitpaas/paas/internal/addons"
	pgaddon "github.com/gitpaas/paas/internal/addons/postgres"
	redisaddon "github.com/gitpaas/paas/internal/addons/redis"
	"github.com/gitpaas/paas/scheduler"
)

// addonProviders are the types of add-on on offer; docs/addons.md says how
// to add one.
func addonProviders() *addons.Registry {
	return addons.NewRegistry(pgaddon.Provider{}, redisaddon.Provider{})
}

// wireAddons makes the add-on service on the scheduler and the pipeline,
// lets the pipeline provision what app.yml declares, and makes the daily
// backup schedule that Run starts.
func (m *Main) wireAddons(sched *scheduler.Scheduler) (*addons.Service, error) {
	svc, err := addons.New(addons.Options{DataDir: m.cfg.DataDir}, addonProviders(), m.db, sched, sched, m.pipeline, m.logger)
	if err != nil {
		return nil, err
	}
	m.pipeline.SetAddons(svc)
	m.addonBackups = addons.NewSchedule(svc, 0, 0)
	return svc, nil
}
