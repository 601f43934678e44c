package auth

import (
	"context"

	"github.com/gitpaas/paas"
)

// Authorize reports whether id may do what needs need, on app when app is
// not empty. The token's scope must include need.Scope; then need.Admin
// asks for a platform admin, and need.Role for that role on the app.
// Platform admins hold every role on every app; other users the highest of
// their own role and their teams' roles on it (AppRole).
//
// A user without any role on app gets the same not-found error as for an
// app that does not exist, so apps stay private to their collaborators.
func (s *Service) Authorize(ctx context.Context, id *paas.Identity, app string, need paas.Permission) error {
	if !id.Token.Scope.Includes(need.Scope) {
		return paas.Errorf(paas.EFORBIDDEN, "this token has scope %s, and this needs scope %s; use a token with scope %s (paas tokens:create --scope %s) or log in again with: paas login",
			id.Token.Scope, need.Scope, need.Scope, need.Scope)
	}
	if need.Admin && !id.User.Admin {
		return paas.Errorf(paas.EFORBIDDEN, "only platform admins may do this; ask one")
	}
	if app == "" || need.Role == "" || id.User.Admin {
		return nil
	}
	role, err := s.store.AppRole(ctx, app, id.User.ID)
	switch {
	case err != nil:
		return err
	case role == "":
		return ErrAppNotFound(app)
	case !role.Includes(need.Role):
		return paas.Errorf(paas.EFORBIDDEN, "you are a %s of app %s, and this needs the role %s; ask an owner of %s to run: paas access:add %s --role %s -a %s",
			role, app, need.Role, app, id.User.Name, need.Role, app)
	}
	return nil
}

// ErrAppNotFound is the error for an app that does not exist or that the
// caller may not see: the same words, so that the two cannot be told apart.
func ErrAppNotFound(app string) error {
	return paas.Errorf(paas.ENOTFOUND, "app %q not found; list your apps with: paas apps", app)
}
