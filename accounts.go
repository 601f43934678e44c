package paas

import "time"

// Scope is what an API token may be used for. Scopes are ordered: each
// includes the ones before it. A scope only ever narrows what the token's
// user may do; it never grants a right the user lacks.
type Scope string

// The scopes of a token.
const (
	// ScopeRead reads apps, builds, releases, processes and the audit log.
	ScopeRead Scope = "read"
	// ScopeDeploy also changes what runs: pushes, config vars, scaling,
	// rollbacks, restarts, one-off runs, new apps.
	ScopeDeploy Scope = "deploy"
	// ScopeAdmin is everything the user may do: also destroying apps,
	// managing who has access, managing tokens and, for platform admins,
	// managing users. Login tokens have it.
	ScopeAdmin Scope = "admin"
)

// scopeRanks orders the scopes; an unknown scope ranks 0, below all.
var scopeRanks = map[Scope]int{ScopeRead: 1, ScopeDeploy: 2, ScopeAdmin: 3}

// Valid reports whether s is one of the scopes.
func (s Scope) Valid() bool { return scopeRanks[s] > 0 }

// Includes reports whether a token of scope s may do what needs scope
// need.
func (s Scope) Includes(need Scope) bool {
	return s.Valid() && scopeRanks[s] >= scopeRanks[need]
}

// ParseScope returns the scope named s.
func ParseScope(s string) (Scope, error) {
	if sc := Scope(s); sc.Valid() {
		return sc, nil
	}
	return "", Errorf(EINVALID, "scope %q is not one of read, deploy, admin", clip(s))
}

// Role is what a user may do with one app. Roles are ordered: each
// includes the ones before it.
type Role string

// The roles of a collaborator on an app.
const (
	// RoleViewer sees the app, its builds, releases and processes.
	RoleViewer Role = "viewer"
	// RoleDeployer also pushes, sets config vars (and reads them), scales,
	// rolls back, restarts and runs one-off processes.
	RoleDeployer Role = "deployer"
	// RoleOwner also destroys the app, manages its collaborators and reads
	// its audit log. Whoever creates an app owns it.
	RoleOwner Role = "owner"
)

// roleRanks orders the roles; no role ranks 0, below all.
var roleRanks = map[Role]int{RoleViewer: 1, RoleDeployer: 2, RoleOwner: 3}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return roleRanks[r] > 0 }

// Includes reports whether a user with role r on an app may do what needs
// role need.
func (r Role) Includes(need Role) bool {
	return r.Valid() && roleRanks[r] >= roleRanks[need]
}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	if r := Role(s); r.Valid() {
		return r, nil
	}
	return "", Errorf(EINVALID, "role %q is not one of viewer, deployer, owner", clip(s))
}

// Permission is what an action needs: a token scope, and either a role on
// the app it acts on (Role set) or the platform admin flag (Admin set).
// Platform admins hold every role on every app.
type Permission struct {
	Scope Scope
	Role  Role
	Admin bool
}

// Identity is who makes a request: the user and the token they
// authenticated with.
type Identity struct {
	User  User
	Token Token
}

// Token is an API token as the platform lists it. Its secret is shown once,
// when it is made, and only its hash is stored.
type Token struct {
	ID         int64      `json:"id"`
	User       string     `json:"user"`
	Name       string     `json:"name"`
	Scope      Scope      `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Expired reports whether the token has expired at now.
func (t Token) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// Collaborator is a role on an app given to a user or to a team: one of
// User and Team is set.
type Collaborator struct {
	App       string    `json:"app"`
	User      string    `json:"user,omitempty"`
	Team      string    `json:"team,omitempty"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// AuditEntry records one change someone asked the platform for: who, what,
// on which app, from where, and how it ended. It never holds request
// bodies, which may carry secrets.
type AuditEntry struct {
	ID int64 `json:"id"`
	// User is the name of the user who asked; empty for failed logins.
	User    string `json:"user"`
	TokenID int64  `json:"token_id,omitempty"`
	// Action names what was asked, such as "config.set" or "git.push".
	Action string `json:"action"`
	// App is the app acted on, empty when the action is not about one.
	App    string `json:"app,omitempty"`
	Method string `json:"method"`
	Path   string `json:"path"`
	// Status is the HTTP status of the answer; for a git push, 200 when it
	// released and the status of its error otherwise.
	Status    int       `json:"status"`
	ClientIP  string    `json:"client_ip"`
	RequestID string    `json:"request_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	// App, when set, keeps the entries of that app.
	App string
	// OwnerID, when not 0, keeps the entries of the apps the user owns,
	// made since the app of that name was created.
	OwnerID int64
	// Limit bounds the number of entries, newest first; 0 means no bound.
	Limit int
}

// MaxUserNameLen bounds user names.
const MaxUserNameLen = 40

// ValidateUserName reports whether name can name a user: lower-case
// letters, digits, dots, dashes and underscores, starting with a letter.
func ValidateUserName(name string) error {
	const hint = "use 1-40 lower-case letters, digits, dots, dashes and underscores, starting with a letter (e.g. ada.lovelace)"
	switch {
	case name == "":
		return Errorf(EINVALID, "user name is empty; %s", hint)
	case len(name) > MaxUserNameLen:
		return Errorf(EINVALID, "user name %q is %d characters long; %s", clip(name), len(name), hint)
	case name[0] < 'a' || name[0] > 'z':
		return Errorf(EINVALID, "user name %q must start with a lower-case letter; %s", clip(name), hint)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return Errorf(EINVALID, "user name %q contains %q; %s", clip(name), r, hint)
		}
	}
	return nil
}
