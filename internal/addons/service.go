package addons

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/gitpaas/paas"
)

// Default range of the host ports add-ons serve on. It lies below Nomad's
// dynamic ports (20000-32000) and Linux's ephemeral ones.
const (
	DefaultPortMin = 16000
	DefaultPortMax = 16999
)

// Records keeps add-ons.
type Records interface {
	CreateAddon(ctx context.Context, a *paas.Addon) (*paas.Addon, error)
	GetAddon(ctx context.Context, name string) (*paas.Addon, error)
	ListAddons(ctx context.Context, app string) ([]*paas.Addon, error)
	MarkAddonAvailable(ctx context.Context, name, host string) error
	DeleteAddon(ctx context.Context, name string) error
	AddonPorts(ctx context.Context) ([]int, error)
}

// Attachments keeps which app has which add-on under which name.
type Attachments interface {
	CreateAttachment(ctx context.Context, addon, app, name, createdBy string) (*paas.AddonAttachment, error)
	DeleteAttachment(ctx context.Context, app, name string) error
}

// BackupRecords keeps the records of backups.
type BackupRecords interface {
	CreateBackup(ctx context.Context, b *paas.Backup) (*paas.Backup, error)
	GetBackup(ctx context.Context, id int64) (*paas.Backup, error)
	ListBackups(ctx context.Context, addonID int64) ([]*paas.Backup, error)
	DeleteBackup(ctx context.Context, id int64) error
}

// AppConfig reads an app's current config vars (and so whether it exists).
type AppConfig interface {
	GetConfig(ctx context.Context, app string) (map[string]string, error)
}

// Store is everything the service keeps in the database.
type Store interface {
	Records
	Attachments
	BackupRecords
	AppConfig
}

// Runner runs add-ons: the scheduler.
type Runner interface {
	// DeployAddon starts j and returns once it is healthy, with where it
	// serves; on failure nothing of it is left running.
	DeployAddon(ctx context.Context, j paas.AddonJob, progress io.Writer) (paas.Endpoint, error)
	DestroyAddon(ctx context.Context, name string) error
	AddonStatus(ctx context.Context, name string) (string, error)
}

// Execer runs a command in an add-on's running container. ExecAddonFile
// appends the path of a file to command and copies what the command wrote
// there to out: a dump must arrive whole, which a stream may not.
type Execer interface {
	ExecAddon(ctx context.Context, name string, command []string, stdin io.Reader, stdout, stderr io.Writer) (int, error)
	ExecAddonFile(ctx context.Context, name string, command []string, out, stderr io.Writer) (int, error)
}

// Configurer changes an app's config vars through a release: the deploy
// pipeline.
type Configurer interface {
	SetConfig(ctx context.Context, app string, user *paas.User, changes map[string]*string, out io.Writer) (*paas.Release, map[string]string, error)
}

// Options configure a Service.
type Options struct {
	// DataDir is the platform's data directory: an add-on keeps its data
	// in <DataDir>/addons/<name>, its backups in <DataDir>/backups/<name>.
	DataDir string
	// PortMin and PortMax bound the host ports of add-ons.
	PortMin, PortMax int
	// PortFree reports whether nothing on this host listens on port; nil
	// tries to listen on it.
	PortFree func(port int) bool
}

// Validate reports options the service cannot work with.
func (o Options) Validate() error {
	o = o.withDefaults()
	switch {
	case !filepath.IsAbs(o.DataDir):
		return errors.New("add-ons: the data dir must be an absolute path")
	case o.PortMin < 1024 || o.PortMax > 65535 || o.PortMin > o.PortMax:
		return fmt.Errorf("add-ons: port range %d-%d is not within 1024-65535", o.PortMin, o.PortMax)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.PortMin == 0 && o.PortMax == 0 {
		o.PortMin, o.PortMax = DefaultPortMin, DefaultPortMax
	}
	if o.PortFree == nil {
		o.PortFree = portFree
	}
	return o
}

// Service provisions, attaches, destroys and backs up add-ons.
type Service struct {
	opts      Options
	providers *Registry
	store     Store
	runner    Runner
	exec      Execer
	config    Configurer
	logger    *slog.Logger

	mu    sync.Mutex
	locks map[string]*sync.Mutex // by add-on: one destroy, backup or restore at a time
}

// New returns a Service.
func New(opts Options, providers *Registry, store Store, runner Runner, exec Execer, config Configurer, logger *slog.Logger) (*Service, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Service{opts: opts.withDefaults(), providers: providers, store: store, runner: runner,
		exec: exec, config: config, logger: logger, locks: map[string]*sync.Mutex{}}, nil
}

// Types returns the add-on types on offer.
func (s *Service) Types() []string { return s.providers.Types() }

// Get returns the named add-on with what the scheduler says about it now.
func (s *Service) Get(ctx context.Context, name string) (*paas.Addon, error) {
	a, err := s.store.GetAddon(ctx, name)
	if err != nil {
		return nil, err
	}
	a.Status, err = s.runner.AddonStatus(ctx, name)
	if err != nil {
		s.logger.Warn("add-on status", "addon", name, "error", err)
		a.Status = "unknown"
	}
	return a, nil
}

// List returns the add-ons of app and those attached to it, or all when
// app is "".
func (s *Service) List(ctx context.Context, app string) ([]*paas.Addon, error) {
	return s.store.ListAddons(ctx, app)
}

// ForApp returns the named add-on, with its status, when it belongs to
// app or is attached to it; otherwise it is not found, as seen from app.
func (s *Service) ForApp(ctx context.Context, app, name string) (*paas.Addon, error) {
	a, err := s.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	if a.App != app && !slices.ContainsFunc(a.Attachments, func(t paas.AddonAttachment) bool { return t.App == app }) {
		return nil, paas.Errorf(paas.ENOTFOUND, "add-on %q is not attached to %s; list its add-ons with: paas addons -a %s", name, app, app)
	}
	return a, nil
}

// lock serialises the changes to one add-on and returns the unlock.
func (s *Service) lock(name string) func() {
	s.mu.Lock()
	l, ok := s.locks[name]
	if !ok {
		l = &sync.Mutex{}
		s.locks[name] = l
	}
	s.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// instance is add-on a as its provider sees it.
func (s *Service) instance(a *paas.Addon) (Provider, Instance, error) {
	p, err := s.providers.Provider(a.Type)
	if err != nil {
		return nil, Instance{}, fmt.Errorf("add-on %s: %w", a.Name, err)
	}
	pl, err := plan(p, a.Plan)
	if err != nil {
		return nil, Instance{}, fmt.Errorf("add-on %s: %w", a.Name, err)
	}
	return p, Instance{Name: a.Name, Plan: pl, Password: a.Password}, nil
}

// url returns the URL with credentials at which apps reach a.
func (s *Service) url(a *paas.Addon) (string, error) {
	p, inst, err := s.instance(a)
	if err != nil {
		return "", err
	}
	return p.URL(inst, paas.Endpoint{Host: a.Host, Port: a.Port}), nil
}

func (s *Service) dataDir(name string) string { return filepath.Join(s.opts.DataDir, "addons", name) }

func (s *Service) backupDir(name string) string {
	return filepath.Join(s.opts.DataDir, "backups", name)
}

// portFree reports whether a listener can bind port on every address, so
// that no process on this host (another add-on's container among them)
// holds it.
func portFree(port int) bool {
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}
