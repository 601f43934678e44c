// Package auth issues and checks API tokens. Tokens are random 32-byte
// secrets; only their SHA-256 hashes are stored, so a database dump does not
// leak working credentials. A fast hash is enough here because the tokens
// carry 256 bits of entropy and cannot be guessed.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gitpaas/paas"
)

// TokenPrefix marks the platform's tokens so that secret scanners and people
// can recognise one.
const TokenPrefix = "paas_"

// Users looks up and creates users and their token hashes.
type Users interface {
	UserByTokenHash(ctx context.Context, hash []byte) (*paas.User, error)
	CountUsers(ctx context.Context) (int, error)
	CreateUser(ctx context.Context, name string, admin bool) (*paas.User, error)
	CreateToken(ctx context.Context, userID int64, name string, hash []byte) error
}

// Tokens authenticates API tokens.
type Tokens struct {
	users Users
}

// New returns Tokens backed by users.
func New(users Users) *Tokens { return &Tokens{users: users} }

// Authenticate returns the user a token belongs to, or an EUNAUTHORIZED
// error that tells the caller how to get a valid token.
func (t *Tokens) Authenticate(ctx context.Context, token string) (*paas.User, error) {
	if token == "" {
		return nil, paas.Errorf(paas.EUNAUTHORIZED, "missing token; run: paas login (or send Authorization: Bearer <token>)")
	}
	if len(token) > 256 {
		return nil, paas.Errorf(paas.EUNAUTHORIZED, "invalid token; run: paas login")
	}
	u, err := t.users.UserByTokenHash(ctx, Hash(token))
	if paas.ErrorCode(err) == paas.ENOTFOUND {
		return nil, paas.Errorf(paas.EUNAUTHORIZED, "invalid token; run: paas login")
	}
	return u, err
}

// Hash returns the stored form of a token.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewToken returns a fresh random token.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return TokenPrefix + hex.EncodeToString(b)
}

// Bootstrap creates the admin user and a token for it on the platform's first
// start, writing the token to path with mode 0600. Later starts do nothing.
func (t *Tokens) Bootstrap(ctx context.Context, path string) (created bool, err error) {
	n, err := t.users.CountUsers(ctx)
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
	u, err := t.users.CreateUser(ctx, "admin", true)
	if err != nil {
		return false, fmt.Errorf("create admin: %w", err)
	}
	if err := t.users.CreateToken(ctx, u.ID, "admin (created at first start)", Hash(token)); err != nil {
		return false, fmt.Errorf("create admin token: %w", err)
	}
	return true, nil
}
