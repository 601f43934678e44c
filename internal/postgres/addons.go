package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gitpaas/paas"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// Names of the add-on constraints whose violations mean something to the
// user.
const (
	addonsNameKey             = "addons_name_key"
	addonsPortKey             = "addons_port_key"
	addonAttachmentsAppName   = "addon_attachments_app_name_key"
	addonAttachmentsAddonFkey = "addon_attachments_addon_id_fkey"
)

// addonColumns are the columns that scanAddon reads, from addons d.
const addonColumns = `d.id, d.name, d.type, d.plan, coalesce((SELECT name FROM apps WHERE id = d.app_id), ''),
	d.state, d.host, d.port, d.secret, d.created_by, d.created_at`

// secretAD binds a sealed add-on password to its add-on.
func secretAD(name string) []byte { return []byte("paas credentials of add-on " + name) }

// scanAddon reads the addonColumns of one row, opening the password.
func (db *DB) scanAddon(row scanner) (*paas.Addon, error) {
	var a paas.Addon
	var sealed []byte
	err := row.Scan(&a.ID, &a.Name, &a.Type, &a.Plan, &a.App, &a.State, &a.Host, &a.Port, &sealed, &a.CreatedBy, &a.CreatedAt)
	if err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	a.Attachments = []paas.AddonAttachment{}
	if db.cipher == nil {
		return nil, errors.New("read add-on credentials: no cipher is set")
	}
	plain, err := db.cipher.Open(sealed, secretAD(a.Name))
	if err != nil {
		return nil, fmt.Errorf("open credentials of add-on %q: %w", a.Name, err)
	}
	a.Password = string(plain)
	return &a, nil
}

// CreateAddon records a new add-on of app a.App in state creating with a's
// name, type, plan, port, password (sealed) and creator. It fails with paas.ECONFLICT
// when the name is taken and with paas.ErrAddonPortTaken when the port is.
func (db *DB) CreateAddon(ctx context.Context, a *paas.Addon) (*paas.Addon, error) {
	if err := paas.ValidateAddonName(a.Name); err != nil {
		return nil, err
	}
	if db.cipher == nil {
		return nil, errors.New("store add-on credentials: no cipher is set")
	}
	sealed := db.cipher.Seal([]byte(a.Password), secretAD(a.Name))
	row := db.db.QueryRowContext(ctx, `
		WITH d AS (
			INSERT INTO addons (name, type, plan, app_id, state, port, secret, created_by)
			SELECT $1, $2, $3, a.id, $4, $5, $6, $7 FROM apps a WHERE a.name = $8
			RETURNING *
		)
		SELECT `+addonColumns+` FROM d`,
		a.Name, a.Type, a.Plan, paas.AddonCreating, a.Port, sealed, a.CreatedBy, a.App)
	out, err := db.scanAddon(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errAppNotFound(a.App)
	case violates(err, pqerror.UniqueViolation, addonsNameKey):
		return nil, paas.Errorf(paas.ECONFLICT, "add-on %q already exists; choose another name", a.Name)
	case violates(err, pqerror.UniqueViolation, addonsPortKey):
		return nil, paas.ErrAddonPortTaken
	case err != nil:
		return nil, fmt.Errorf("create add-on %q: %w", a.Name, err)
	}
	return out, nil
}

// GetAddon returns the named add-on with its attachments.
func (db *DB) GetAddon(ctx context.Context, name string) (*paas.Addon, error) {
	a, err := db.scanAddon(db.db.QueryRowContext(ctx, `SELECT `+addonColumns+` FROM addons d WHERE d.name = $1`, name))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errAddonNotFound(name)
	case err != nil:
		return nil, fmt.Errorf("get add-on %q: %w", name, err)
	}
	if err := db.fillAttachments(ctx, []*paas.Addon{a}); err != nil {
		return nil, err
	}
	return a, nil
}

// ListAddons returns the add-ons of app and those attached to it, or every
// add-on when app is "", sorted by name, with their attachments.
func (db *DB) ListAddons(ctx context.Context, app string) ([]*paas.Addon, error) {
	var args []any
	query := `SELECT ` + addonColumns + ` FROM addons d`
	if app != "" {
		id, err := appID(ctx, db.db, app)
		if err != nil {
			return nil, err
		}
		query += ` WHERE d.app_id = $1 OR d.id IN (SELECT addon_id FROM addon_attachments WHERE app_id = $1)`
		args = append(args, id)
	}
	rows, err := db.db.QueryContext(ctx, query+` ORDER BY d.name COLLATE "C"`, args...)
	if err != nil {
		return nil, fmt.Errorf("list add-ons: %w", err)
	}
	addons, err := collect(rows, db.scanAddon)
	if err != nil {
		return nil, fmt.Errorf("list add-ons: %w", err)
	}
	return addons, db.fillAttachments(ctx, addons)
}

// fillAttachments sets the attachments of addons, ordered by app and name.
func (db *DB) fillAttachments(ctx context.Context, addons []*paas.Addon) error {
	byID := map[int64]*paas.Addon{}
	ids := make([]int64, 0, len(addons))
	for _, a := range addons {
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT t.addon_id, a.name, t.name, t.created_by, t.created_at
		FROM addon_attachments t JOIN apps a ON a.id = t.app_id
		WHERE t.addon_id = ANY($1) ORDER BY a.name COLLATE "C", t.name`, pq.Array(ids))
	if err != nil {
		return fmt.Errorf("list attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t paas.AddonAttachment
		if err := rows.Scan(&id, &t.App, &t.Name, &t.CreatedBy, &t.CreatedAt); err != nil {
			return fmt.Errorf("list attachments: %w", err)
		}
		a := byID[id]
		t.Addon, t.ConfigVar, t.CreatedAt = a.Name, paas.AttachmentVar(t.Name), t.CreatedAt.UTC()
		a.Attachments = append(a.Attachments, t)
	}
	return rows.Err()
}

// AddonPorts returns the ports that add-ons hold.
func (db *DB) AddonPorts(ctx context.Context) ([]int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT port FROM addons ORDER BY port`)
	if err != nil {
		return nil, fmt.Errorf("list add-on ports: %w", err)
	}
	defer rows.Close()
	var ports []int
	for rows.Next() {
		var p int
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		ports = append(ports, p)
	}
	return ports, rows.Err()
}

// MarkAddonAvailable records that the add-on serves at host.
func (db *DB) MarkAddonAvailable(ctx context.Context, name, host string) error {
	res, err := db.db.ExecContext(ctx, `UPDATE addons SET state = $2, host = $3 WHERE name = $1`, name, paas.AddonAvailable, host)
	if err != nil {
		return fmt.Errorf("update add-on %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errAddonNotFound(name)
	}
	return nil
}

// DeleteAddon deletes the named add-on. It fails with paas.ECONFLICT while
// the add-on is attached to an app. Its backups stay.
func (db *DB) DeleteAddon(ctx context.Context, name string) error {
	res, err := db.db.ExecContext(ctx, `DELETE FROM addons WHERE name = $1`, name)
	switch {
	case violates(err, pqerror.ForeignKeyViolation, addonAttachmentsAddonFkey):
		return paas.Errorf(paas.ECONFLICT, "add-on %q is attached to an app; detach it first", name)
	case err != nil:
		return fmt.Errorf("delete add-on %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errAddonNotFound(name)
	}
	return nil
}

// CreateAttachment attaches the add-on to app under name. It fails with
// paas.ECONFLICT when app already has an attachment of that name.
func (db *DB) CreateAttachment(ctx context.Context, addon, app, name, createdBy string) (*paas.AddonAttachment, error) {
	if err := paas.ValidateAttachmentName(name); err != nil {
		return nil, err
	}
	t := paas.AddonAttachment{Addon: addon, App: app, Name: name, ConfigVar: paas.AttachmentVar(name), CreatedBy: createdBy}
	err := db.db.QueryRowContext(ctx, `
		INSERT INTO addon_attachments (addon_id, app_id, name, created_by)
		SELECT d.id, a.id, $3, $4 FROM addons d, apps a WHERE d.name = $1 AND a.name = $2
		RETURNING created_at`, addon, app, name, createdBy).Scan(&t.CreatedAt)
	switch {
	case violates(err, pqerror.UniqueViolation, addonAttachmentsAppName):
		return nil, paas.Errorf(paas.ECONFLICT, "app %s already has an add-on attached as %s; attach under another name with --as NAME", app, name)
	case errors.Is(err, sql.ErrNoRows):
		if _, err := appID(ctx, db.db, app); err != nil {
			return nil, err
		}
		return nil, errAddonNotFound(addon)
	case err != nil:
		return nil, fmt.Errorf("attach add-on %q to app %q: %w", addon, app, err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return &t, nil
}

// DeleteAttachment removes the attachment of app named name.
func (db *DB) DeleteAttachment(ctx context.Context, app, name string) error {
	res, err := db.db.ExecContext(ctx, `
		DELETE FROM addon_attachments
		WHERE name = $2 AND app_id = (SELECT id FROM apps WHERE name = $1)`, app, name)
	if err != nil {
		return fmt.Errorf("detach %s from app %q: %w", name, app, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return missing(ctx, db.db, app, paas.Errorf(paas.ENOTFOUND, "app %s has no add-on attached as %s; see: paas addons -a %s", app, name, app))
	}
	return nil
}

func errAddonNotFound(name string) error {
	return paas.Errorf(paas.ENOTFOUND, "add-on %q not found; list add-ons with: paas addons --all", name)
}
