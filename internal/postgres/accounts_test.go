package postgres_test

import (
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/postgres"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ignoreTokenTimes leaves out the token times the database sets.
var ignoreTokenTimes = cmpopts.IgnoreFields(paas.Token{}, "CreatedAt", "LastUsedAt", "RevokedAt")

// mustUser creates a user without a password.
func mustUser(t *testing.T, db *postgres.DB, name string, admin bool) *paas.User {
	t.Helper()
	u, err := db.CreateUser(t.Context(), name, admin)
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	return u
}

func TestCreateUserWithPassword(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustUser(t, db, "taken", false)
	tests := []struct {
		name     string
		user     string
		wantCode string
	}{
		{name: "new", user: "ada.lovelace"},
		{name: "taken", user: "taken", wantCode: paas.ECONFLICT},
		{name: "invalid", user: "Ada", wantCode: paas.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := db.CreateUserWithPassword(t.Context(), tt.user, true, []byte("$2a$10$hash"))
			checkCode(t, err, tt.wantCode)
			if err != nil {
				return
			}
			got, hash, err := db.UserPassword(t.Context(), tt.user)
			checkCode(t, err, "")
			if diff := cmp.Diff(u, got); diff != "" || string(hash) != "$2a$10$hash" || !got.Admin {
				t.Errorf("UserPassword = %+v, %q (-created +got):\n%s", got, hash, diff)
			}
		})
	}
	_, hash, err := db.UserPassword(t.Context(), "taken")
	if err != nil || hash != nil {
		t.Errorf("UserPassword of a user without one = %q, %v; want nil", hash, err)
	}
	_, _, err = db.UserPassword(t.Context(), "nobody")
	checkCode(t, err, paas.ENOTFOUND)
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	b := mustUser(t, db, "bob", false)
	a := mustUser(t, db, "alice", true)
	got, err := db.ListUsers(t.Context())
	checkCode(t, err, "")
	if diff := cmp.Diff([]*paas.User{a, b}, got); diff != "" {
		t.Errorf("ListUsers mismatch (-want +got):\n%s", diff)
	}
}

func TestAddTokenAndIdentity(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	alice := mustUser(t, db, "alice", false)
	expires := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	tok, err := db.AddToken(t.Context(), alice.ID, paas.Token{Name: "ci", Scope: paas.ScopeDeploy, ExpiresAt: &expires}, hash("secret"))
	checkCode(t, err, "")
	want := &paas.Token{ID: tok.ID, User: "alice", Name: "ci", Scope: paas.ScopeDeploy, ExpiresAt: &expires}
	if diff := cmp.Diff(want, tok, ignoreTokenTimes); diff != "" {
		t.Errorf("AddToken mismatch (-want +got):\n%s", diff)
	}
	checkRecent(t, "CreatedAt", tok.CreatedAt)

	id, err := db.IdentityByTokenHash(t.Context(), hash("secret"))
	checkCode(t, err, "")
	if diff := cmp.Diff(&paas.Identity{User: *alice, Token: *want}, id, ignoreTokenTimes); diff != "" {
		t.Errorf("IdentityByTokenHash mismatch (-want +got):\n%s", diff)
	}
	id, err = db.IdentityByTokenHash(t.Context(), hash("secret"))
	if err != nil || id.Token.LastUsedAt == nil {
		t.Errorf("second lookup: %v, last used %v; want the first use recorded", err, id.Token.LastUsedAt)
	}
	_, err = db.IdentityByTokenHash(t.Context(), hash("guess"))
	checkCode(t, err, paas.ENOTFOUND)
	checkMessage(t, err, "token not recognised; log in again with: paas login")

	for name, tc := range map[string]struct {
		userID int64
		t      paas.Token
		hash   []byte
		code   string
	}{
		"duplicate hash": {alice.ID, paas.Token{Scope: paas.ScopeRead}, hash("secret"), paas.ECONFLICT},
		"missing user":   {999, paas.Token{Scope: paas.ScopeRead}, hash("other"), paas.ENOTFOUND},
		"bad scope":      {alice.ID, paas.Token{Scope: "root"}, hash("other"), paas.EINVALID},
		"not a hash":     {alice.ID, paas.Token{Scope: paas.ScopeRead}, []byte("x"), paas.EINTERNAL},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := db.AddToken(t.Context(), tc.userID, tc.t, tc.hash)
			checkCode(t, err, tc.code)
		})
	}
}

func TestBootstrapTokenHasAdminScope(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	admin := mustUser(t, db, "admin", true)
	checkCode(t, db.CreateToken(t.Context(), admin.ID, "first", hash("root")), "")
	id, err := db.IdentityByTokenHash(t.Context(), hash("root"))
	checkCode(t, err, "")
	if id.Token.Scope != paas.ScopeAdmin || id.Token.ExpiresAt != nil || !id.User.Admin {
		t.Errorf("bootstrap token = %+v; want an admin's admin-scoped token without expiry", id)
	}
}

func TestListAndRevokeTokens(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	alice := mustUser(t, db, "alice", false)
	bob := mustUser(t, db, "bob", false)
	add := func(u *paas.User, name string) *paas.Token {
		tok, err := db.AddToken(t.Context(), u.ID, paas.Token{Name: name, Scope: paas.ScopeRead}, hash(u.Name+name))
		checkCode(t, err, "")
		return tok
	}
	a1, a2, b1 := add(alice, "one"), add(alice, "two"), add(bob, "one")

	checkCode(t, db.RevokeToken(t.Context(), b1.ID, alice.ID), paas.ENOTFOUND) // not hers
	checkCode(t, db.RevokeToken(t.Context(), a1.ID, alice.ID), "")
	checkCode(t, db.RevokeToken(t.Context(), a1.ID, alice.ID), paas.ENOTFOUND) // already revoked
	checkCode(t, db.RevokeToken(t.Context(), b1.ID, 0), "")                    // an admin's revoke

	got, err := db.ListTokens(t.Context(), alice.ID)
	checkCode(t, err, "")
	if diff := cmp.Diff([]*paas.Token{a2}, got, ignoreTokenTimes); diff != "" {
		t.Errorf("ListTokens mismatch (-want +got):\n%s", diff)
	}
	id, err := db.IdentityByTokenHash(t.Context(), hash("aliceone"))
	if err != nil || id.Token.RevokedAt == nil {
		t.Errorf("revoked token: %+v, %v; want it found with RevokedAt set", id, err)
	}
}
