// Package auth authenticates the callers of the platform and decides what
// they may do.
//
// Callers present API tokens: random 32-byte secrets of which only the
// SHA-256 hashes are stored, so a database dump does not leak working
// credentials. A fast hash is enough because tokens carry 256 bits of
// entropy and cannot be guessed. A token has a scope, may expire and may be
// revoked. People get tokens by logging in with a password, stored as a
// bcrypt hash. What a token may do is the intersection of its scope and its
// user's rights: the platform admin flag and a role per app (policy.go).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gitpaas/paas"
)

// TokenPrefix marks the platform's tokens so that secret scanners and people
// can recognise one.
const TokenPrefix = "paas_"

// maxTokenLen bounds what is hashed and looked up: a token is far shorter.
const maxTokenLen = 256

// Store is what the service needs of the platform's store.
type Store interface {
	Users
	Tokens
	Roles
}

// Users creates users and reads their password hashes.
type Users interface {
	CountUsers(ctx context.Context) (int, error)
	CreateUser(ctx context.Context, name string, admin bool) (*paas.User, error)
	CreateUserWithPassword(ctx context.Context, name string, admin bool, passwordHash []byte) (*paas.User, error)
	UserPassword(ctx context.Context, name string) (*paas.User, []byte, error)
}

// Tokens stores token hashes and finds the token of a hash.
type Tokens interface {
	CreateToken(ctx context.Context, userID int64, name string, hash []byte) error
	AddToken(ctx context.Context, userID int64, t paas.Token, hash []byte) (*paas.Token, error)
	IdentityByTokenHash(ctx context.Context, hash []byte) (*paas.Identity, error)
}

// Roles tells a user's role on an app.
type Roles interface {
	AppRole(ctx context.Context, app string, userID int64) (paas.Role, error)
}

// Service authenticates tokens and passwords, issues tokens and authorizes
// requests. It is safe for concurrent use.
type Service struct {
	store Store
	now   func() time.Time
	// bcryptCost is the cost of new password hashes.
	bcryptCost int
}

// New returns a Service backed by store.
func New(store Store) *Service {
	return &Service{store: store, now: time.Now, bcryptCost: DefaultBcryptCost}
}

// Authenticate returns who a token belongs to, or an EUNAUTHORIZED error
// that tells the caller how to get a valid token. Expired and revoked
// tokens are refused.
func (s *Service) Authenticate(ctx context.Context, token string) (*paas.Identity, error) {
	if token == "" {
		return nil, paas.Errorf(paas.EUNAUTHORIZED, "missing token; run: paas login (or send Authorization: Bearer <token>)")
	}
	if len(token) > maxTokenLen {
		return nil, paas.Errorf(paas.EUNAUTHORIZED, "invalid token; run: paas login")
	}
	id, err := s.store.IdentityByTokenHash(ctx, Hash(token))
	switch {
	case paas.ErrorCode(err) == paas.ENOTFOUND:
		return nil, paas.Errorf(paas.EUNAUTHORIZED, "invalid token; run: paas login")
	case err != nil:
		return nil, err
	case id.Token.RevokedAt != nil:
		return nil, paas.Errorf(paas.EUNAUTHORIZED, "this token was revoked; log in again with: paas login")
	case id.Token.Expired(s.now()):
		return nil, paas.Errorf(paas.EUNAUTHORIZED, "this token expired at %s; log in again with: paas login",
			id.Token.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return id, nil
}

// Hash returns the stored form of a token.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewToken returns a fresh random token.
func NewToken() string {
	return TokenPrefix + hex.EncodeToString(randomBytes(32))
}

// randomBytes returns n bytes from crypto/rand.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return b
}

// Bootstrap creates the admin user and a token for it on the platform's first
// start, writing the token to path with mode 0600. Later starts do nothing.
// The token has scope admin and does not expire.
func (s *Service) Bootstrap(ctx context.Context, path string) (created bool, err error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	token := NewToken()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return false, fmt.Errorf("write admin token: %w", err)
	}
	u, err := s.store.CreateUser(ctx, "admin", true)
	if err != nil {
		return false, fmt.Errorf("create admin: %w", err)
	}
	if err := s.store.CreateToken(ctx, u.ID, "admin (created at first start)", Hash(token)); err != nil {
		return false, fmt.Errorf("create admin token: %w", err)
	}
	return true, nil
}
