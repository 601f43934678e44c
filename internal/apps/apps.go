// Package apps creates and destroys apps, keeping the database row, the git
// repository, the scheduler's jobs and the images of an app together: no app
// exists without its repository, and a destroy leaves nothing running.
package apps

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gitpaas/paas"
)

// Store keeps app rows.
type Store interface {
	CreateApp(ctx context.Context, name, owner string) (*paas.App, error)
	GetApp(ctx context.Context, name string) (*paas.App, error)
	DeleteApp(ctx context.Context, name string) error
}

// Repos holds the git repositories.
type Repos interface {
	CreateRepo(ctx context.Context, app string) error
	DeleteRepo(app string) error
}

// Jobs stops what runs.
type Jobs interface {
	Destroy(ctx context.Context, app string) error
}

// Images removes built images.
type Images interface {
	RemoveRepository(ctx context.Context, repository string) error
}

// Locker serialises the changes to one app's releases; the deploy pipeline
// holds it while it rolls out and while its reconciler repairs drift.
type Locker interface {
	LockApp(app string) (unlock func())
}

// Service creates and destroys apps.
type Service struct {
	locker          Locker
	store           Store
	repos           Repos
	jobs            Jobs
	images          Images
	imageRepository string
	logger          *slog.Logger
}

// New returns a Service. imageRepository is the prefix of image names, as
// given to the pipeline.
func New(locker Locker, store Store, repos Repos, jobs Jobs, images Images, imageRepository string, logger *slog.Logger) *Service {
	return &Service{locker: locker, store: store, repos: repos, jobs: jobs, images: images, imageRepository: imageRepository, logger: logger}
}

// Create validates name and makes the app and its repository, or neither.
func (s *Service) Create(ctx context.Context, name, owner string) (*paas.App, error) {
	if err := paas.ValidateAppName(name); err != nil {
		return nil, err
	}
	app, err := s.store.CreateApp(ctx, name, owner)
	if err != nil {
		return nil, err
	}
	if err := s.repos.CreateRepo(ctx, name); err != nil {
		// Undo the row so that no app exists without its repository.
		if derr := s.store.DeleteApp(context.WithoutCancel(ctx), name); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, fmt.Errorf("create app %s: %w", name, err)
	}
	s.logger.Info("app created", "app", name, "owner", owner)
	return app, nil
}

// Destroy stops the app's processes, then removes its row, repository and
// images. Each step tolerates a previous, partial destroy. It holds the
// app's lock until the row is gone, so the reconciler cannot restart the
// processes it stops.
func (s *Service) Destroy(ctx context.Context, name string) error {
	unlock := s.locker.LockApp(name)
	defer unlock()
	if _, err := s.store.GetApp(ctx, name); err != nil {
		return err
	}
	if err := s.jobs.Destroy(ctx, name); err != nil {
		return fmt.Errorf("stop processes of %s: %w", name, err)
	}
	if err := s.store.DeleteApp(ctx, name); err != nil {
		return err
	}
	if err := s.repos.DeleteRepo(name); err != nil {
		s.logger.Warn("remove repository", "app", name, "error", err)
	}
	if err := s.images.RemoveRepository(ctx, s.imageRepository+"/"+name); err != nil {
		s.logger.Warn("remove images", "app", name, "error", err)
	}
	s.logger.Info("app destroyed", "app", name)
	return nil
}
