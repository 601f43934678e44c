package auth

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/gitpaas/paas"
)

// Token lifetimes.
const (
	// LoginTokenTTL is how long a token made by a login lasts.
	LoginTokenTTL = 30 * 24 * time.Hour
	// MaxTokenTTL bounds the lifetime of a token someone asks for.
	MaxTokenTTL = 366 * 24 * time.Hour
)

// maxTokenNameLen bounds token names, in runes.
const maxTokenNameLen = 100

// Issue makes a token for the user of by, named name (empty: a name with
// the date), with the scope, lasting ttl. Its scope may not exceed that of
// the token by authenticated with, so a token cannot mint a stronger one.
// It returns the token as listed and its secret, which is never shown
// again.
func (s *Service) Issue(ctx context.Context, by *paas.Identity, name string, scope paas.Scope, ttl time.Duration) (*paas.Token, string, error) {
	if err := checkTokenRequest(by, scope, ttl); err != nil {
		return nil, "", err
	}
	name = cleanTokenName(name)
	if name == "" {
		name = "token created " + s.now().UTC().Format("2006-01-02")
	}
	return s.issue(ctx, by.User.ID, name, scope, ttl)
}

func checkTokenRequest(by *paas.Identity, scope paas.Scope, ttl time.Duration) error {
	switch {
	case !scope.Valid():
		return paas.Errorf(paas.EINVALID, "scope %q is not one of read, deploy, admin", scope)
	case !by.Token.Scope.Includes(scope):
		return paas.Errorf(paas.EFORBIDDEN, "a token with scope %s cannot make one with scope %s; log in again with: paas login", by.Token.Scope, scope)
	case ttl <= 0:
		return paas.Errorf(paas.EINVALID, "a token must expire; give its lifetime, such as 30d")
	case ttl > MaxTokenTTL:
		return paas.Errorf(paas.EINVALID, "a token may last at most %d days; give a shorter lifetime", int(MaxTokenTTL.Hours()/24))
	}
	return nil
}

// issue stores a new token of user userID and returns it with its secret.
func (s *Service) issue(ctx context.Context, userID int64, name string, scope paas.Scope, ttl time.Duration) (*paas.Token, string, error) {
	secret := NewToken()
	expires := s.now().Add(ttl).UTC()
	t, err := s.store.AddToken(ctx, userID, paas.Token{Name: name, Scope: scope, ExpiresAt: &expires}, Hash(secret))
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// cleanTokenName drops control characters from a name that may come from a
// client (a User-Agent) and bounds its length.
func cleanTokenName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > maxTokenNameLen {
		name = string(r[:maxTokenNameLen-1]) + "…"
	}
	return name
}
