package router

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gitpaas/paas"
)

// snapshotVersion is the format of the state file; ReadSnapshot refuses
// any other.
const snapshotVersion = 1

// Snapshot is the routing table as the state file holds it: the instances
// of the last Update and the apps in maintenance. It lets a router that
// starts while the control plane is down serve the apps that were up.
type Snapshot struct {
	Version     int             `json:"version"`
	SavedAt     time.Time       `json:"saved_at"`
	Instances   []paas.Instance `json:"instances"`
	Maintenance []string        `json:"maintenance,omitempty"`
	Routes      []paas.Route    `json:"routes,omitempty"`
	// Domains holds the custom domains with their private keys, which is
	// why WriteSnapshot makes the file readable by its owner only.
	Domains []SnapshotDomain `json:"domains,omitempty"`
}

// SnapshotDomain is a custom domain as the state file holds it.
type SnapshotDomain struct {
	Hostname string `json:"hostname"`
	App      string `json:"app"`
	CertPEM  string `json:"cert_pem"`
	KeyPEM   string `json:"key_pem"`
}

func snapshotDomains(ds []paas.Domain) []SnapshotDomain {
	out := make([]SnapshotDomain, 0, len(ds))
	for _, d := range ds {
		out = append(out, SnapshotDomain{Hostname: d.Hostname, App: d.App, CertPEM: d.CertPEM, KeyPEM: d.KeyPEM})
	}
	return out
}

// DomainList returns the domains of s as the router takes them.
func (s Snapshot) DomainList() []paas.Domain {
	out := make([]paas.Domain, 0, len(s.Domains))
	for _, d := range s.Domains {
		out = append(out, paas.Domain{Hostname: d.Hostname, App: d.App, CertPEM: d.CertPEM, KeyPEM: d.KeyPEM})
	}
	return out
}

// Snapshot returns what the router serves now: the instances it accepted,
// sorted, and the apps in maintenance.
func (r *Router) Snapshot() Snapshot {
	t := r.table.Load()
	insts := make([]paas.Instance, 0, len(t.targets))
	for inst := range t.targets {
		insts = append(insts, inst)
	}
	slices.SortFunc(insts, func(a, b paas.Instance) int {
		return cmp.Or(cmp.Compare(a.App, b.App), cmp.Compare(a.Addr, b.Addr), cmp.Compare(a.AllocID, b.AllocID),
			cmp.Compare(a.Release, b.Release), cmp.Compare(a.HealthPath, b.HealthPath))
	})
	routes := slices.SortedFunc(maps.Values(r.Routes()), func(a, b paas.Route) int { return cmp.Compare(a.App, b.App) })
	return Snapshot{Version: snapshotVersion, SavedAt: time.Now().UTC(), Instances: insts, Maintenance: r.Maintenance(), Routes: routes,
		Domains: snapshotDomains(r.Domains())}
}

// Restore replaces both the table and the maintenance set with those of s,
// in one step and one save, as at start from a snapshot. Restore after
// Close does nothing.
func (r *Router) Restore(s Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.update(s.Instances)
	r.replaceRoutes(s.Routes)
	r.replaceDomains(s.DomainList())
	// Maintenance set by hand (SetMaintenance) is kept apart from routes.
	r.replaceMaintenance(slices.Concat(r.Maintenance(), s.Maintenance))
	r.save()
}

// save writes the snapshot to the state file, if there is one. It must be
// called with r.mu held, so that saves happen in the order of the changes.
// A failure is logged: the router serves on without a state file.
func (r *Router) save() {
	if r.opts.StateFile == "" {
		return
	}
	if err := WriteSnapshot(r.opts.StateFile, r.Snapshot()); err != nil {
		r.logger.Warn("save routing table", "path", r.opts.StateFile, "error", err)
	}
}

// ReadSnapshot reads the state file at path. A missing file is an error
// for which errors.Is(err, fs.ErrNotExist) holds.
func ReadSnapshot(path string) (Snapshot, error) {
	var s Snapshot
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("routing table %s: %w", path, err)
	}
	if s.Version != snapshotVersion {
		return Snapshot{}, fmt.Errorf("routing table %s has version %d; this router reads version %d", path, s.Version, snapshotVersion)
	}
	return s, nil
}

// WriteSnapshot writes s to path atomically: to a temporary file in the
// same directory, synced, then renamed over path, so that a crash leaves
// either the old table or the new one, never half of one. The file has
// mode 0600: it holds the private keys of custom domains.
func WriteSnapshot(path string, s Snapshot) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	// CreateTemp makes 0600 files already; say so, whatever the umask.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := writeAndSync(tmp, append(b, '\n')); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func writeAndSync(f *os.File, b []byte) error {
	_, err := f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
