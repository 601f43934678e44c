package addons

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/gitpaas/paas"
)

// portAttempts bounds how often Create picks another port after losing a
// race for one.
const portAttempts = 5

// CreateRequest asks for a new add-on.
type CreateRequest struct {
	Type string `json:"type"`
	// Plan defaults to the provider's first plan.
	Plan string `json:"plan"`
	// Name defaults to "<app>-<type>".
	Name string `json:"name"`
	// App owns the add-on and gets it attached as As (default: the
	// provider's attachment name, such as DATABASE).
	App string `json:"-"`
	As  string `json:"as"`
}

// Change is the outcome of creating, attaching or detaching an add-on: the
// add-on and the release that changed the app's config vars (nil when the
// app has no release yet).
type Change struct {
	Addon   *paas.Addon   `json:"addon"`
	Release *paas.Release `json:"release"`
}

// Create provisions an add-on of req.App and attaches it to that app.
// Everything that could make the attachment fail is checked first, so a
// refused request provisions nothing; a provision that fails leaves
// nothing behind.
func (s *Service) Create(ctx context.Context, req CreateRequest, user *paas.User, out io.Writer) (*Change, error) {
	p, err := s.providers.Provider(req.Type)
	if err != nil {
		return nil, err
	}
	pl, err := plan(p, req.Plan)
	if err != nil {
		return nil, err
	}
	as := cmp.Or(req.As, p.Attachment())
	if err := s.checkAttachable(ctx, req.App, as); err != nil {
		return nil, err
	}
	name, err := s.newName(ctx, req.Name, req.App, p.Name())
	if err != nil {
		return nil, err
	}
	a, err := s.provision(ctx, p, pl, req.App, name, user.Name, out)
	if err != nil {
		return nil, err
	}
	return s.attach(ctx, a, req.App, as, user, out)
}

// newName checks a requested name, or makes "<app>-<type>" unique with a
// number.
func (s *Service) newName(ctx context.Context, name, app, typ string) (string, error) {
	if name != "" {
		return name, paas.ValidateAddonName(name)
	}
	base := app + "-" + typ
	for i := 1; i < 100; i++ {
		name = base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		_, err := s.store.GetAddon(ctx, name)
		if paas.ErrorCode(err) == paas.ENOTFOUND {
			return name, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", paas.Errorf(paas.ECONFLICT, "too many add-ons are named %s-N; give a name with --name", base)
}

// provision records the add-on of app, makes its data directory and
// starts it, and undoes all three when it does not become healthy.
func (s *Service) provision(ctx context.Context, p Provider, pl Plan, app, name, createdBy string, out io.Writer) (*paas.Addon, error) {
	if err := s.checkDataDir(name); err != nil {
		return nil, err
	}
	a, err := s.record(ctx, &paas.Addon{App: app, Name: name, Type: p.Name(), Plan: pl.Name, Password: newPassword(), CreatedBy: createdBy})
	if err != nil {
		return nil, err
	}
	log := s.logger.With("addon", name, "type", a.Type)
	fmt.Fprintf(out, "Provisioning %s add-on %s (plan %s) on port %d\n", a.Type, name, a.Plan, a.Port)
	start := time.Now()
	ep, err := s.start(ctx, p, a, pl, out)
	if err != nil {
		log.Warn("add-on provision failed", "error", err)
		s.undoProvision(ctx, a)
		return nil, err
	}
	if err := s.store.MarkAddonAvailable(ctx, name, ep.Host); err != nil {
		s.undoProvision(ctx, a)
		return nil, err
	}
	log.Info("add-on provisioned", "port", ep.Port, "duration_ms", time.Since(start).Milliseconds())
	return s.store.GetAddon(ctx, name)
}

// record inserts the add-on on a free port, trying again when a
// concurrent create took the port first.
func (s *Service) record(ctx context.Context, a *paas.Addon) (*paas.Addon, error) {
	for range portAttempts {
		port, err := s.freePort(ctx)
		if err != nil {
			return nil, err
		}
		a.Port = port
		out, err := s.store.CreateAddon(ctx, a)
		if !errors.Is(err, paas.ErrAddonPortTaken) {
			return out, err
		}
	}
	return nil, paas.Errorf(paas.EUNAVAILABLE, "could not reserve a port for the add-on; try again")
}

// freePort returns the lowest port of the range that no add-on holds and
// nothing on this host listens on.
func (s *Service) freePort(ctx context.Context) (int, error) {
	used, err := s.store.AddonPorts(ctx)
	if err != nil {
		return 0, err
	}
	for port := s.opts.PortMin; port <= s.opts.PortMax; port++ {
		if !slices.Contains(used, port) && s.opts.PortFree(port) {
			return port, nil
		}
	}
	return 0, paas.Errorf(paas.EUNAVAILABLE, "no free port for an add-on between %d and %d; destroy add-ons you no longer need", s.opts.PortMin, s.opts.PortMax)
}

// checkDataDir refuses a name whose data directory holds files: they
// belong to someone else (an add-on of that name removed by hand, say) and
// are never reused, nor removed.
func (s *Service) checkDataDir(name string) error {
	dir := s.dataDir(name)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return paas.Errorf(paas.ECONFLICT, "the data directory %s already holds files; move it away or choose another name", dir)
	}
	return nil
}

// start makes the data directory and runs the add-on until it is healthy.
func (s *Service) start(ctx context.Context, p Provider, a *paas.Addon, pl Plan, out io.Writer) (paas.Endpoint, error) {
	dir := s.dataDir(a.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return paas.Endpoint{}, fmt.Errorf("make data directory of add-on %s: %w", a.Name, err)
	}
	j := p.Job(Instance{Name: a.Name, Plan: pl, Password: a.Password})
	j.Addon, j.Type, j.Port, j.DataDir = a.Name, a.Type, a.Port, dir
	return s.runner.DeployAddon(ctx, j, out)
}

// undoProvision removes what a failed provision made, even when ctx has
// ended. The scheduler has already removed the job.
func (s *Service) undoProvision(ctx context.Context, a *paas.Addon) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := s.runner.DestroyAddon(ctx, a.Name); err != nil {
		s.logger.Warn("remove job of failed add-on", "addon", a.Name, "error", err)
	}
	if err := os.RemoveAll(s.dataDir(a.Name)); err != nil {
		s.logger.Warn("remove data of failed add-on", "addon", a.Name, "error", err)
	}
	if err := s.store.DeleteAddon(ctx, a.Name); err != nil {
		s.logger.Warn("remove record of failed add-on", "addon", a.Name, "error", err)
	}
}

// newPassword returns 26 random upper-case letters and digits (130 bits),
// safe in a URL and in a shell.
func newPassword() string { return rand.Text() }
