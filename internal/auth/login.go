package auth

import (
	"context"

	"github.com/gitpaas/paas"
)

// errLogin is the one answer to a failed login, whether the user does not
// exist, has no password or gave the wrong one.
func errLogin() error {
	return paas.Errorf(paas.EUNAUTHORIZED, "wrong user name or password")
}

// Login checks a user's password and makes a token for them with all their
// rights (scope admin) that lasts LoginTokenTTL. client describes where the
// login came from, such as the User-Agent, and names the token. Every
// failure gets the same error and takes about as long, so that a caller
// cannot learn which user names exist.
func (s *Service) Login(ctx context.Context, name, password, client string) (*paas.User, *paas.Token, string, error) {
	var u *paas.User
	var hash []byte
	if len(name) <= paas.MaxUserNameLen {
		var err error
		u, hash, err = s.store.UserPassword(ctx, name)
		if err != nil && paas.ErrorCode(err) != paas.ENOTFOUND {
			return nil, nil, "", err
		}
	}
	if !checkPassword(hash, password) || u == nil {
		return nil, nil, "", errLogin()
	}
	if client == "" {
		client = "an unnamed client"
	}
	t, secret, err := s.issue(ctx, u.ID, cleanTokenName("login from "+client), paas.ScopeAdmin, LoginTokenTTL)
	if err != nil {
		return nil, nil, "", err
	}
	return u, t, secret, nil
}
