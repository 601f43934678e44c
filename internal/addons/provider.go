// Package addons provisions add-ons (Postgres, Redis, …) for apps: each is
// a Nomad job of its own with a fixed host port, random credentials and a
// host directory for its data, attached to apps through a config var that
// the deploy pipeline sets like any other (so attaching makes a release).
// It also captures, lists and restores backups of the add-ons whose
// provider can dump them, and takes them daily.
//
// A type of add-on is a Provider: a package (internal/addons/postgres,
// internal/addons/redis) and the recipe of its image under deploy/addons/.
// This package never imports a provider; cmd/paasd hands the providers to
// NewRegistry. See docs/addons.md for adding a type.
package addons

import (
	"slices"
	"strings"

	"github.com/gitpaas/paas"
)

// Provider is one type of add-on: the image that runs it, how the
// scheduler runs that image, and the URL apps connect with.
type Provider interface {
	// Name is the type as users write it, such as postgres.
	Name() string
	// Image is the local image that runs the add-on; deploy/images.sh
	// makes it.
	Image() string
	// Plans lists the sizes on offer; the first is the default.
	Plans() []Plan
	// Attachment is the default name of an attachment, the prefix of its
	// config var: DATABASE gives DATABASE_URL.
	Attachment() string
	// Job says how to run instance i: image, command, environment (the
	// credentials), the port and data directory inside the container,
	// the resources of its plan. The service fills in the add-on's name,
	// type, host port and host data directory.
	Job(i Instance) paas.AddonJob
	// URL is the address with credentials at which an app reaches
	// instance i served at ep.
	URL(i Instance, ep paas.Endpoint) string
}

// Backuper is a Provider whose add-ons can be dumped and restored. Both
// commands run in the add-on's running container.
type Backuper interface {
	// BackupCommand writes a dump of the add-on's data to the file named by
	// one more argument, which the platform appends.
	BackupCommand() []string
	// RestoreCommand reads a dump from stdin and replaces the add-on's
	// data with it. When it fails it must leave the data unchanged.
	RestoreCommand() []string
}

// Instance is one add-on as its provider sees it.
type Instance struct {
	Name     string
	Plan     Plan
	Password string
}

// Plan is a size of an add-on.
type Plan struct {
	Name string
	// CPU in MHz and Memory in MB of the add-on's process.
	CPU, Memory int
}

// DefaultPlan is the plan of every provider in this repository, and the
// one an add-on gets when none is named.
const DefaultPlan = "dev"

// Registry holds the providers the platform offers, by name.
type Registry struct {
	providers map[string]Provider
}

// NewRegistry returns a registry of providers.
func NewRegistry(providers ...Provider) *Registry {
	r := &Registry{providers: map[string]Provider{}}
	for _, p := range providers {
		r.providers[p.Name()] = p
	}
	return r
}

// Types returns the names of the providers, sorted.
func (r *Registry) Types() []string {
	names := make([]string, 0, len(r.providers))
	for n := range r.providers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Provider returns the provider of typ.
func (r *Registry) Provider(typ string) (Provider, error) {
	p, ok := r.providers[typ]
	if !ok {
		return nil, paas.Errorf(paas.EINVALID, "unknown add-on type %q; the types are: %s", clip(typ), strings.Join(r.Types(), ", "))
	}
	return p, nil
}

// plan returns p's plan named name, the first plan when name is "".
func plan(p Provider, name string) (Plan, error) {
	plans := p.Plans()
	if name == "" && len(plans) > 0 {
		return plans[0], nil
	}
	var names []string
	for _, pl := range plans {
		if pl.Name == name {
			return pl, nil
		}
		names = append(names, pl.Name)
	}
	return Plan{}, paas.Errorf(paas.EINVALID, "plan %q is not offered for %s; the plans are: %s", clip(name), p.Name(), strings.Join(names, ", "))
}

// clip shortens untrusted input before it is echoed back in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
