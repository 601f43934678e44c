package web

import (
	"bytes"
	"context"
	"io"
	"sync"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/metricsample"
)

// memory is an in-memory platform behind the console: accounts for the
// real auth.Service, and apps with builds, releases and config.
type memory struct {
	mu       sync.Mutex
	users    map[string]*paas.User
	hashes   map[string][]byte
	tokens   map[string]*paas.Identity // by hex of the token hash
	roles    map[string]map[int64]paas.Role
	apps     map[string]*paas.App
	builds   map[int64]*paas.Build
	logs     map[int64][]byte
	releases map[string][]*paas.Release
	config   map[string]map[string]string
	audit    []*paas.AuditEntry
	scaled   map[string]int
	nextID   int64
}

func newMemory() *memory {
	return &memory{users: map[string]*paas.User{}, hashes: map[string][]byte{}, tokens: map[string]*paas.Identity{},
		roles: map[string]map[int64]paas.Role{}, apps: map[string]*paas.App{}, builds: map[int64]*paas.Build{},
		logs: map[int64][]byte{}, releases: map[string][]*paas.Release{}, config: map[string]map[string]string{}}
}

func (m *memory) id() int64 { m.nextID++; return m.nextID }

// The store of auth.Service.

func (m *memory) CountUsers(context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.users), nil
}

func (m *memory) CreateUser(ctx context.Context, name string, admin bool) (*paas.User, error) {
	return m.CreateUserWithPassword(ctx, name, admin, nil)
}

func (m *memory) CreateUserWithPassword(_ context.Context, name string, admin bool, hash []byte) (*paas.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := &paas.User{ID: m.id(), Name: name, Admin: admin, CreatedAt: time.Now()}
	m.users[name], m.hashes[name] = u, hash
	return u, nil
}

func (m *memory) UserPassword(_ context.Context, name string) (*paas.User, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[name]
	if !ok {
		return nil, nil, paas.Errorf(paas.ENOTFOUND, "no user")
	}
	return u, m.hashes[name], nil
}

func (m *memory) CreateToken(ctx context.Context, userID int64, name string, hash []byte) error {
	_, err := m.AddToken(ctx, userID, paas.Token{Name: name, Scope: paas.ScopeAdmin}, hash)
	return err
}

func (m *memory) AddToken(_ context.Context, userID int64, t paas.Token, hash []byte) (*paas.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var u *paas.User
	for _, x := range m.users {
		if x.ID == userID {
			u = x
		}
	}
	t.ID, t.User, t.CreatedAt = m.id(), u.Name, time.Now()
	m.tokens[string(hash)] = &paas.Identity{User: *u, Token: t}
	return &t, nil
}

func (m *memory) IdentityByTokenHash(_ context.Context, hash []byte) (*paas.Identity, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.tokens[string(hash)]
	if !ok {
		return nil, paas.Errorf(paas.ENOTFOUND, "no token")
	}
	cp := *id
	return &cp, nil
}

func (m *memory) RevokeToken(_ context.Context, id, userID int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.tokens {
		if x.Token.ID == id && x.User.ID == userID {
			now := time.Now()
			x.Token.RevokedAt = &now
			return nil
		}
	}
	return paas.Errorf(paas.ENOTFOUND, "no token %d", id)
}

func (m *memory) AppRole(_ context.Context, app string, userID int64) (paas.Role, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.roles[app][userID], nil
}

// Apps, builds, releases, config.

func (m *memory) addApp(name string, release int, roles map[int64]paas.Role) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.apps[name] = &paas.App{ID: m.id(), Name: name, Release: release, CreatedAt: time.Now()}
	m.roles[name] = roles
	m.config[name] = map[string]string{}
	for v := 1; v <= release; v++ {
		m.releases[name] = append(m.releases[name], &paas.Release{App: name, Version: v, Status: paas.ReleaseSucceeded,
			Current: v == release, Reason: paas.ReasonDeploy, Description: "deploy", CreatedAt: time.Now(),
			Spec: paas.ReleaseSpec{Formation: []paas.Process{{Type: "web", Count: 1}}}})
	}
}

func (m *memory) GetApp(_ context.Context, name string) (*paas.App, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.apps[name]
	if !ok {
		return nil, paas.Errorf(paas.ENOTFOUND, "app %q not found", name)
	}
	return a, nil
}

func (m *memory) ListAppsPage(context.Context, string, int) ([]*paas.App, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*paas.App
	for _, a := range m.apps {
		out = append(out, a)
	}
	return out, nil
}

func (m *memory) ListAppsPageOf(_ context.Context, userID int64, _ string, _ int) ([]*paas.App, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*paas.App
	for name, a := range m.apps {
		if m.roles[name][userID] != "" {
			out = append(out, a)
		}
	}
	return out, nil
}

func (m *memory) Create(ctx context.Context, name, owner string) (*paas.App, error) {
	u := m.users[owner]
	m.addApp(name, 0, map[int64]paas.Role{u.ID: paas.RoleOwner})
	return m.GetApp(ctx, name)
}

func (m *memory) ListBuildsPage(_ context.Context, app string, _ int64, _ int) ([]*paas.Build, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*paas.Build
	for _, b := range m.builds {
		if b.App == app {
			cp := *b
			out = append(out, &cp)
		}
	}
	return out, nil
}

func (m *memory) GetBuild(_ context.Context, app string, id int64) (*paas.Build, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.builds[id]
	if !ok || b.App != app {
		return nil, paas.Errorf(paas.ENOTFOUND, "build %d not found", id)
	}
	cp := *b
	return &cp, nil
}

func (m *memory) BuildLog(_ context.Context, _ string, id int64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return bytes.Clone(m.logs[id]), nil
}

// appendLog adds output to a build, finishing it when status is given.
func (m *memory) appendLog(id int64, text string, status paas.BuildStatus) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.logs[id] = append(m.logs[id], text...)
	if status != "" {
		m.builds[id].Status = status
	}
}

func (m *memory) ListReleasesPage(_ context.Context, app string, before, limit int) ([]*paas.Release, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*paas.Release
	rels := m.releases[app]
	for i := len(rels) - 1; i >= 0 && len(out) < limit; i-- {
		if before == 0 || rels[i].Version < before {
			out = append(out, rels[i])
		}
	}
	return out, nil
}

func (m *memory) release(app string, reason paas.ReleaseReason) *paas.Release {
	a := m.apps[app]
	for _, r := range m.releases[app] {
		r.Current = false
	}
	a.Release++
	r := &paas.Release{App: app, Version: a.Release, Status: paas.ReleaseSucceeded, Current: true, Reason: reason, CreatedAt: time.Now()}
	m.releases[app] = append(m.releases[app], r)
	return r
}

func (m *memory) SetConfig(_ context.Context, app string, _ *paas.User, changes map[string]*string, _ io.Writer) (*paas.Release, map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, v := range changes {
		if v == nil {
			delete(m.config[app], k)
		} else {
			m.config[app][k] = *v
		}
	}
	if m.apps[app].Release == 0 {
		return nil, m.config[app], nil
	}
	return m.release(app, paas.ReasonConfig), m.config[app], nil
}

func (m *memory) Rollback(_ context.Context, app string, _ *paas.User, version int, _ io.Writer) (*paas.Release, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.release(app, paas.ReasonRollback), nil
}

func (m *memory) Scale(_ context.Context, app string, _ *paas.User, counts map[string]int, _ io.Writer) (*paas.Release, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.scaled = counts
	return m.release(app, paas.ReasonScale), nil
}

func (m *memory) Processes(context.Context, string) ([]paas.ProcessState, error) {
	return []paas.ProcessState{{Name: "web.1", Type: "web", Release: 1, State: "running", Healthy: true, Since: time.Now()}}, nil
}

func (m *memory) GetConfig(_ context.Context, app string) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	for k, v := range m.config[app] {
		out[k] = v
	}
	return out, nil
}

func (m *memory) List(context.Context, string) ([]*paas.Addon, error) { return nil, nil }

func (m *memory) AddAuditEntry(_ context.Context, e *paas.AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.audit = append(m.audit, e)
	return nil
}

func (m *memory) ListAuditEntries(_ context.Context, f paas.AuditFilter) ([]*paas.AuditEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*paas.AuditEntry
	for _, e := range m.audit {
		if f.App == "" || e.App == f.App {
			out = append(out, e)
		}
	}
	return out, nil
}

// points is a fixed traffic history.
type points []metricsample.Point

func (p points) Points(string) []metricsample.Point { return p }
func (p points) Interval() time.Duration            { return 5 * time.Second }
