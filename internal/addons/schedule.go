package addons

import (
	"context"
	"time"

	"github.com/gitpaas/paas"
)

// Defaults of the backup schedule.
const (
	// DefaultBackupPeriod is how often an add-on that takes backups gets a
	// scheduled one.
	DefaultBackupPeriod = 24 * time.Hour
	// DefaultBackupsKept is how many scheduled backups of an add-on are
	// kept; older ones are deleted. Captured ones are kept until deleted.
	DefaultBackupsKept = 7
	// scheduleCheck is how often the schedule looks for a backup that is
	// due, and scheduleStart how long after start it first looks.
	scheduleCheck = time.Hour
	scheduleStart = time.Minute
)

// ScheduleCreator names who takes scheduled backups.
const ScheduleCreator = "schedule"

// Schedule takes a backup of every add-on that can be backed up once per
// period, and keeps the newest scheduled ones.
type Schedule struct {
	s      *Service
	period time.Duration
	keep   int
	now    func() time.Time
}

// NewSchedule returns a schedule for the add-ons of s; zero period and keep
// take the defaults.
func NewSchedule(s *Service, period time.Duration, keep int) *Schedule {
	if period <= 0 {
		period = DefaultBackupPeriod
	}
	if keep <= 0 {
		keep = DefaultBackupsKept
	}
	return &Schedule{s: s, period: period, keep: keep, now: time.Now}
}

// Run keeps add-ons running and backed up, a minute after it starts and
// then every hour, until ctx ends: it starts again add-on jobs stopped or
// removed outside the platform (Service.EnsureRunning), then takes the
// backups that are due.
func (sc *Schedule) Run(ctx context.Context) {
	wait := time.NewTimer(scheduleStart)
	defer wait.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wait.C:
		}
		if _, err := sc.s.EnsureRunning(ctx); err != nil && ctx.Err() == nil {
			sc.s.logger.Warn("keep add-ons running", "error", err)
		}
		if err := sc.RunOnce(ctx); err != nil && ctx.Err() == nil {
			sc.s.logger.Warn("scheduled backups", "error", err)
		}
		wait.Reset(scheduleCheck)
	}
}

// RunOnce backs up every available add-on that takes backups and has no
// scheduled backup younger than the period, then prunes its scheduled
// backups to the newest keep. One add-on failing does not stop the others.
func (sc *Schedule) RunOnce(ctx context.Context) error {
	all, err := sc.s.store.ListAddons(ctx, "")
	if err != nil {
		return err
	}
	for _, a := range all {
		if !sc.backedUp(a) {
			continue
		}
		if err := sc.backup(ctx, a); err != nil {
			sc.s.logger.Warn("scheduled backup", "addon", a.Name, "error", err)
		}
	}
	return nil
}

// backedUp reports whether a's provider takes backups and a runs.
func (sc *Schedule) backedUp(a *paas.Addon) bool {
	p, _, err := sc.s.instance(a)
	if err != nil || a.State != paas.AddonAvailable {
		return false
	}
	_, ok := p.(Backuper)
	return ok
}

// backup takes a's scheduled backup if one is due, then prunes.
func (sc *Schedule) backup(ctx context.Context, a *paas.Addon) error {
	list, err := sc.s.store.ListBackups(ctx, a.ID)
	if err != nil {
		return err
	}
	scheduled := onlyScheduled(list)
	if len(scheduled) == 0 || sc.now().Sub(scheduled[0].CreatedAt) >= sc.period {
		b, err := sc.s.Capture(ctx, a.Name, ScheduleCreator, true)
		if err != nil {
			return err
		}
		scheduled = append([]*paas.Backup{b}, scheduled...)
	}
	for _, old := range scheduled[min(sc.keep, len(scheduled)):] {
		if err := sc.s.DeleteBackup(ctx, old.ID); err != nil {
			return err
		}
		sc.s.logger.Info("scheduled backup pruned", "addon", a.Name, "backup", old.ID)
	}
	return nil
}

// onlyScheduled keeps the scheduled backups of list, newest first.
func onlyScheduled(list []*paas.Backup) []*paas.Backup {
	var out []*paas.Backup
	for _, b := range list {
		if b.Scheduled {
			out = append(out, b)
		}
	}
	return out
}
