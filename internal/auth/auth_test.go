package auth

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"golang.org/x/crypto/bcrypt"
)

// memStore is an in-memory Store.
type memStore struct {
	mu        sync.Mutex
	users     map[string]*paas.User
	passwords map[string][]byte
	tokens    map[string]*paas.Identity // by hex hash
	roles     map[string]map[int64]paas.Role
	nextID    int64
}

func newMemStore() *memStore {
	return &memStore{users: map[string]*paas.User{}, passwords: map[string][]byte{},
		tokens: map[string]*paas.Identity{}, roles: map[string]map[int64]paas.Role{}}
}

func (m *memStore) CountUsers(context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.users), nil
}

func (m *memStore) CreateUser(ctx context.Context, name string, admin bool) (*paas.User, error) {
	return m.CreateUserWithPassword(ctx, name, admin, nil)
}

func (m *memStore) CreateUserWithPassword(_ context.Context, name string, admin bool, hash []byte) (*paas.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.users[name] != nil {
		return nil, paas.Errorf(paas.ECONFLICT, "user %q already exists", name)
	}
	m.nextID++
	u := &paas.User{ID: m.nextID, Name: name, Admin: admin}
	m.users[name], m.passwords[name] = u, hash
	return u, nil
}

func (m *memStore) UserPassword(_ context.Context, name string) (*paas.User, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.users[name] == nil {
		return nil, nil, paas.Errorf(paas.ENOTFOUND, "user %q not found", name)
	}
	return m.users[name], m.passwords[name], nil
}

func (m *memStore) CreateToken(ctx context.Context, userID int64, name string, hash []byte) error {
	_, err := m.AddToken(ctx, userID, paas.Token{Name: name, Scope: paas.ScopeAdmin}, hash)
	return err
}

func (m *memStore) AddToken(_ context.Context, userID int64, t paas.Token, hash []byte) (*paas.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		if u.ID == userID {
			m.nextID++
			t.ID, t.User = m.nextID, u.Name
			m.tokens[string(hash)] = &paas.Identity{User: *u, Token: t}
			return &t, nil
		}
	}
	return nil, paas.Errorf(paas.ENOTFOUND, "user %d not found", userID)
}

func (m *memStore) IdentityByTokenHash(_ context.Context, hash []byte) (*paas.Identity, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := m.tokens[string(hash)]
	if id == nil {
		return nil, paas.Errorf(paas.ENOTFOUND, "token not recognised")
	}
	cp := *id
	return &cp, nil
}

func (m *memStore) AppRole(_ context.Context, app string, userID int64) (paas.Role, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	roles, ok := m.roles[app]
	if !ok {
		return "", paas.Errorf(paas.ENOTFOUND, "app %q not found; list your apps with: paas apps", app)
	}
	return roles[userID], nil
}

// testService returns a service on a fresh store whose clock reads now,
// with cheap password hashes.
func testService(now time.Time) (*Service, *memStore) {
	m := newMemStore()
	s := New(m)
	s.now = func() time.Time { return now }
	s.bcryptCost = bcrypt.MinCost
	return s, m
}

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func checkErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	if got := paas.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
	if err != nil && !strings.Contains(paas.ErrorMessage(err), msg) {
		t.Errorf("error %q does not say %q", paas.ErrorMessage(err), msg)
	}
}

func TestAuthenticate(t *testing.T) {
	s, m := testService(testNow)
	alice, _ := m.CreateUser(t.Context(), "alice", false)
	past, future := testNow.Add(-time.Second), testNow.Add(time.Hour)
	add := func(secret string, tok paas.Token) {
		tok.Scope = paas.ScopeRead
		if _, err := m.AddToken(t.Context(), alice.ID, tok, Hash(secret)); err != nil {
			t.Fatal(err)
		}
	}
	add("good", paas.Token{ExpiresAt: &future})
	add("forever", paas.Token{})
	add("expired", paas.Token{ExpiresAt: &past})
	add("revoked", paas.Token{RevokedAt: &past})
	tests := []struct {
		token, code, msg string
	}{
		{"good", "", ""},
		{"forever", "", ""},
		{"", paas.EUNAUTHORIZED, "missing token"},
		{strings.Repeat("x", 300), paas.EUNAUTHORIZED, "invalid token"},
		{"guess", paas.EUNAUTHORIZED, "invalid token"},
		{"expired", paas.EUNAUTHORIZED, "expired at 2025-06-01T11:59:59Z"},
		{"revoked", paas.EUNAUTHORIZED, "revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.token[:min(len(tt.token), 10)], func(t *testing.T) {
			id, err := s.Authenticate(t.Context(), tt.token)
			checkErr(t, err, tt.code, tt.msg)
			if err == nil && id.User.Name != "alice" {
				t.Errorf("Authenticate = %+v; want alice", id)
			}
		})
	}
}

func TestAuthorize(t *testing.T) {
	s, m := testService(testNow)
	m.roles["hello"] = map[int64]paas.Role{1: paas.RoleOwner, 2: paas.RoleDeployer, 3: paas.RoleViewer}
	m.roles["empty"] = map[int64]paas.Role{}
	id := func(userID int64, admin bool, scope paas.Scope) *paas.Identity {
		return &paas.Identity{User: paas.User{ID: userID, Name: "u", Admin: admin}, Token: paas.Token{Scope: scope}}
	}
	deploy := paas.Permission{Scope: paas.ScopeDeploy, Role: paas.RoleDeployer}
	tests := []struct {
		name string
		id   *paas.Identity
		app  string
		need paas.Permission
		code string
		msg  string
	}{
		{"owner deploys", id(1, false, paas.ScopeAdmin), "hello", deploy, "", ""},
		{"deployer deploys", id(2, false, paas.ScopeDeploy), "hello", deploy, "", ""},
		{"viewer may not", id(3, false, paas.ScopeAdmin), "hello", deploy, paas.EFORBIDDEN, "you are a viewer of app hello, and this needs the role deployer"},
		{"read token may not", id(1, false, paas.ScopeRead), "hello", deploy, paas.EFORBIDDEN, "this token has scope read, and this needs scope deploy"},
		{"stranger sees nothing", id(4, false, paas.ScopeAdmin), "hello", deploy, paas.ENOTFOUND, `app "hello" not found; list your apps with: paas apps`},
		{"missing app", id(4, false, paas.ScopeAdmin), "nope", deploy, paas.ENOTFOUND, `app "nope" not found; list your apps with: paas apps`},
		{"platform admin everywhere", id(9, true, paas.ScopeDeploy), "empty", deploy, "", ""},
		{"platform admin's read token", id(9, true, paas.ScopeRead), "empty", deploy, paas.EFORBIDDEN, "scope read"},
		{"admin only", id(1, false, paas.ScopeAdmin), "", paas.Permission{Scope: paas.ScopeRead, Admin: true}, paas.EFORBIDDEN, "only platform admins"},
		{"admin only, admin", id(9, true, paas.ScopeRead), "", paas.Permission{Scope: paas.ScopeRead, Admin: true}, "", ""},
		{"no app", id(4, false, paas.ScopeRead), "", paas.Permission{Scope: paas.ScopeRead}, "", ""},
		{"unknown scope", id(1, false, "root"), "hello", paas.Permission{Scope: paas.ScopeRead, Role: paas.RoleViewer}, paas.EFORBIDDEN, "scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, s.Authorize(t.Context(), tt.id, tt.app, tt.need), tt.code, tt.msg)
		})
	}
}

type tokenRequest struct {
	Name  string
	Scope paas.Scope
	TTL   time.Duration
}

func TestIssue(t *testing.T) {
	s, m := testService(testNow)
	alice, _ := m.CreateUser(t.Context(), "alice", false)
	by := func(scope paas.Scope) *paas.Identity {
		return &paas.Identity{User: *alice, Token: paas.Token{Scope: scope}}
	}
	day := 24 * time.Hour
	tests := []struct {
		name     string
		by       *paas.Identity
		req      tokenRequest
		code     string
		wantName string
	}{
		{"deploy token", by(paas.ScopeAdmin), tokenRequest{Name: "ci", Scope: paas.ScopeDeploy, TTL: 30 * day}, "", "ci"},
		{"default name", by(paas.ScopeAdmin), tokenRequest{Scope: paas.ScopeRead, TTL: day}, "", "token created 2025-06-01"},
		{"control characters", by(paas.ScopeAdmin), tokenRequest{Name: " a\x1b[31mb\n", Scope: paas.ScopeRead, TTL: day}, "", "a[31mb"},
		{"same scope", by(paas.ScopeDeploy), tokenRequest{Scope: paas.ScopeDeploy, TTL: day}, "", "token created 2025-06-01"},
		{"stronger scope", by(paas.ScopeDeploy), tokenRequest{Scope: paas.ScopeAdmin, TTL: day}, paas.EFORBIDDEN, ""},
		{"bad scope", by(paas.ScopeAdmin), tokenRequest{Scope: "root", TTL: day}, paas.EINVALID, ""},
		{"no expiry", by(paas.ScopeAdmin), tokenRequest{Scope: paas.ScopeRead}, paas.EINVALID, ""},
		{"too long", by(paas.ScopeAdmin), tokenRequest{Scope: paas.ScopeRead, TTL: MaxTokenTTL + time.Hour}, paas.EINVALID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, secret, err := s.Issue(t.Context(), tt.by, tt.req.Name, tt.req.Scope, tt.req.TTL)
			checkErr(t, err, tt.code, "")
			if err != nil {
				return
			}
			if tok.Name != tt.wantName || tok.Scope != tt.req.Scope || !tok.ExpiresAt.Equal(testNow.Add(tt.req.TTL)) || !strings.HasPrefix(secret, TokenPrefix) {
				t.Errorf("Issue = %+v, %q", tok, secret)
			}
			id, err := s.Authenticate(t.Context(), secret)
			if err != nil || id.Token.ID != tok.ID {
				t.Errorf("the new token does not authenticate: %v", err)
			}
		})
	}
}

func TestCreateUserAndLogin(t *testing.T) {
	s, m := testService(testNow)
	if _, _, err := s.CreateUser(t.Context(), "ada", false, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	_, generated, err := s.CreateUser(t.Context(), "bob", true, "")
	if err != nil || len(generated) < MinPasswordLen {
		t.Fatalf("CreateUser with a generated password = %q, %v", generated, err)
	}
	m.CreateUser(t.Context(), "tokenonly", false)
	for name, tc := range map[string]struct {
		user, password string
		code           string
	}{
		"too short": {"carol", "short", paas.EINVALID},
		"too long":  {"carol", strings.Repeat("x", 73), paas.EINVALID},
		"bad name":  {"Carol", "correct horse battery", paas.EINVALID},
		"taken":     {"ada", "correct horse battery", paas.ECONFLICT},
	} {
		t.Run("create "+name, func(t *testing.T) {
			_, _, err := s.CreateUser(t.Context(), tc.user, false, tc.password)
			checkErr(t, err, tc.code, "")
		})
	}

	tests := []struct {
		name, user, password string
		code                 string
	}{
		{"ada", "ada", "correct horse battery", ""},
		{"generated", "bob", generated, ""},
		{"wrong password", "ada", "wrong horse battery", paas.EUNAUTHORIZED},
		{"unknown user", "nobody", "correct horse battery", paas.EUNAUTHORIZED},
		{"no password", "tokenonly", "", paas.EUNAUTHORIZED},
		{"long name", strings.Repeat("a", 100), "x", paas.EUNAUTHORIZED},
		{"long password", "ada", strings.Repeat("x", 100), paas.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run("login "+tt.name, func(t *testing.T) {
			u, tok, secret, err := s.Login(t.Context(), tt.user, tt.password, "paas-cli/1.0 (linux)")
			checkErr(t, err, tt.code, "")
			if err != nil {
				if msg := paas.ErrorMessage(err); msg != "wrong user name or password" {
					t.Errorf("failed login says %q; want the one message for every failure", msg)
				}
				return
			}
			if u.Name != tt.user || tok.Scope != paas.ScopeAdmin || tok.Name != "login from paas-cli/1.0 (linux)" ||
				!tok.ExpiresAt.Equal(testNow.Add(LoginTokenTTL)) {
				t.Errorf("Login = %+v, %+v", u, tok)
			}
			if _, err := s.Authenticate(t.Context(), secret); err != nil {
				t.Errorf("login token does not authenticate: %v", err)
			}
		})
	}
}

func TestBootstrap(t *testing.T) {
	s, m := testService(testNow)
	path := filepath.Join(t.TempDir(), "data", "admin-token")
	created, err := s.Bootstrap(t.Context(), path)
	if err != nil || !created {
		t.Fatalf("Bootstrap = %v, %v", created, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Authenticate(t.Context(), strings.TrimSpace(string(b)))
	if err != nil || !id.User.Admin || id.Token.Scope != paas.ScopeAdmin || id.Token.ExpiresAt != nil {
		t.Fatalf("admin token: %+v, %v; want an admin-scoped token of an admin that does not expire", id, err)
	}
	if created, err := s.Bootstrap(t.Context(), path); created || err != nil {
		t.Errorf("second Bootstrap = %v, %v; want nothing done", created, err)
	}
	if n, _ := m.CountUsers(t.Context()); n != 1 {
		t.Errorf("%d users after bootstrap; want 1", n)
	}
}
