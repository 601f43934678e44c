package postgres

import (
	"context"

	"github.com/gitpaas/paas"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// Names of the constraints whose violations mean something to the user.
const (
	appsNameKey      = "apps_name_key"
	usersNameKey     = "users_name_key"
	tokensHashKey    = "tokens_hash_key"
	buildsOneRunning = "builds_one_running"
)

// violates reports whether err is the violation of the named constraint.
func violates(err error, code pqerror.Code, constraint string) bool {
	e := pq.As(err, code)
	return e != nil && e.Constraint == constraint
}

// isForeignKeyViolation reports whether err is the violation of any foreign
// key, that is, a row refers to one that does not exist.
func isForeignKeyViolation(err error) bool {
	return pq.As(err, pqerror.ForeignKeyViolation) != nil
}

// The errors for rows that do not exist, in words the user can act on.

func errAppNotFound(app string) error {
	return paas.Errorf(paas.ENOTFOUND, "app %q not found; list your apps with: paas apps", app)
}

func errBuildNotFound(app string, id int64) error {
	return paas.Errorf(paas.ENOTFOUND, "build %d of app %q not found; list its builds with: paas builds -a %s", id, app, app)
}

func errBuildIDNotFound(id int64) error {
	return paas.Errorf(paas.ENOTFOUND, "build %d not found; it may have been deleted with its app", id)
}

func errReleaseNotFound(app string, version int) error {
	return paas.Errorf(paas.ENOTFOUND, "release v%d of app %q not found; list its releases with: paas releases -a %s", version, app, app)
}

func errUserNotFound(name string) error {
	return paas.Errorf(paas.ENOTFOUND, "user %q not found; check the name or ask an admin to create the user", name)
}

// missing returns the error for a row of app that was not found: the app's
// own when the app does not exist either, and notFound otherwise.
func missing(ctx context.Context, q querier, app string, notFound error) error {
	if _, err := appID(ctx, q, app); err != nil {
		return err
	}
	return notFound
}
