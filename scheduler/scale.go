package scheduler

import (
	"context"
	"fmt"

	"github.com/gitpaas/paas"
)

// Scale makes the running job of release d.Release of d.App run the counts
// of d's processes, without waiting for new instances to be healthy: the
// router sends them traffic once their checks pass. Only counts change, so
// Nomad keeps the instances that run and adds or stops the difference.
//
// It registers the job again rather than calling Nomad's scale endpoint,
// which refuses to scale a job while a deployment of it is under way, as
// it is for a few seconds after every change of count.
func (s *Scheduler) Scale(ctx context.Context, d paas.Deployment) error {
	if err := validateDeployment(d); err != nil {
		return err
	}
	id := JobID(d.App, d.Release)
	old, _, err := s.client.Jobs().Info(id, query(ctx))
	if err != nil {
		if isNotFound(err) {
			return paas.Errorf(paas.ENOTFOUND, "v%d of %s is not running", d.Release, d.App)
		}
		return fmt.Errorf("read job %s: %w", id, nomadError(err))
	}
	job := renderJob(d, s.opts)
	if mark := old.Meta[metaRepair]; mark != "" {
		// Keep the mark of an earlier repair, or every instance is replaced.
		job.Meta[metaRepair] = mark
	}
	if _, _, err := s.client.Jobs().Register(job, write(ctx)); err != nil {
		return fmt.Errorf("scale %s: %w", id, nomadError(err))
	}
	s.log.Info("job scaled", "app", d.App, "release", d.Release, "job", id, "processes", describeProcesses(d.Processes))
	return nil
}
