package auth

import (
	"context"
	"encoding/base32"
	"sync"
	"unicode/utf8"

	"github.com/gitpaas/paas"
	"golang.org/x/crypto/bcrypt"
)

// DefaultBcryptCost is the cost of new password hashes: about 100 ms per
// check on a current core, slow for guessing, fast enough for a login.
const DefaultBcryptCost = 11

// Password lengths. bcrypt reads at most 72 bytes; longer passwords are
// refused rather than silently cut.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 72
)

// ValidatePassword reports whether password may be set.
func ValidatePassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return paas.Errorf(paas.EINVALID, "the password is shorter than %d characters; choose a longer one, or leave it out to have one generated", MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return paas.Errorf(paas.EINVALID, "the password is longer than %d bytes; choose a shorter one", MaxPasswordLen)
	}
	return nil
}

// GeneratePassword returns a random password of 26 characters (130 bits).
func GeneratePassword() string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(randomBytes(16))
}

// CreateUser creates a user who logs in with password, or with a generated
// password when password is empty, which it then returns: it is not kept
// and cannot be shown again.
func (s *Service) CreateUser(ctx context.Context, name string, admin bool, password string) (u *paas.User, generated string, err error) {
	if err := paas.ValidateUserName(name); err != nil {
		return nil, "", err
	}
	if password == "" {
		generated = GeneratePassword()
		password = generated
	}
	if err := ValidatePassword(password); err != nil {
		return nil, "", err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.bcryptCost)
	if err != nil {
		return nil, "", err
	}
	u, err = s.store.CreateUserWithPassword(ctx, name, admin, hash)
	if err != nil {
		return nil, "", err
	}
	return u, generated, nil
}

// dummyHash is checked against when a user has no password or does not
// exist, so that a login takes as long either way.
var dummyHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword(randomBytes(18), DefaultBcryptCost)
	if err != nil {
		panic(err) // only fails for passwords over 72 bytes or bad costs
	}
	return h
})

// checkPassword reports whether password matches hash, taking a bcrypt
// comparison's time even when hash is nil.
func checkPassword(hash []byte, password string) bool {
	if hash == nil || len(password) > MaxPasswordLen {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}
