package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// Cipher seals config vars before they are stored and opens them after.
type Cipher interface {
	Seal(plaintext, additional []byte) []byte
	Open(sealed, additional []byte) ([]byte, error)
}

// SetCipher sets the cipher of config vars. Without one, storing config
// vars fails rather than writing them in the clear.
func (db *DB) SetCipher(c Cipher) { db.cipher = c }

// configAD binds sealed config vars to their app.
func configAD(app string) []byte { return []byte("paas config vars of app " + app) }

func (db *DB) sealConfig(app string, config map[string]string) ([]byte, error) {
	if len(config) == 0 {
		return nil, nil
	}
	if db.cipher == nil {
		return nil, errors.New("store config vars: no cipher is set")
	}
	plain, err := json.Marshal(config)
	if err != nil {
		return nil, err
	}
	return db.cipher.Seal(plain, configAD(app)), nil
}

func (db *DB) openConfig(app string, sealed []byte) (map[string]string, error) {
	config := map[string]string{}
	if len(sealed) == 0 {
		return config, nil
	}
	if db.cipher == nil {
		return nil, errors.New("read config vars: no cipher is set")
	}
	plain, err := db.cipher.Open(sealed, configAD(app))
	if err != nil {
		return nil, fmt.Errorf("open config vars of app %q: %w", app, err)
	}
	if err := json.Unmarshal(plain, &config); err != nil {
		return nil, fmt.Errorf("decode config vars of app %q: %w", app, err)
	}
	return config, nil
}

func configKeys(config map[string]string) []string {
	keys := make([]string, 0, len(config))
	for k := range config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// GetConfig returns the app's current config vars.
func (db *DB) GetConfig(ctx context.Context, app string) (map[string]string, error) {
	var sealed []byte
	err := db.db.QueryRowContext(ctx, `SELECT config FROM apps WHERE name = $1`, app).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errAppNotFound(app)
	}
	if err != nil {
		return nil, fmt.Errorf("get config vars of app %q: %w", app, err)
	}
	return db.openConfig(app, sealed)
}

// UpdateConfig applies changes to the app's config vars in one
// transaction, a nil value unsetting its key, and returns the result.
func (db *DB) UpdateConfig(ctx context.Context, app string, changes map[string]*string) (map[string]string, error) {
	var config map[string]string
	err := inTx(ctx, db.db, func(tx *sql.Tx) error {
		var sealed []byte
		err := tx.QueryRowContext(ctx, `SELECT config FROM apps WHERE name = $1 FOR UPDATE`, app).Scan(&sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return errAppNotFound(app)
		}
		if err != nil {
			return err
		}
		if config, err = db.openConfig(app, sealed); err != nil {
			return err
		}
		applyConfig(config, changes)
		return db.writeConfig(ctx, tx, app, config)
	})
	if err != nil {
		return nil, fmt.Errorf("update config vars of app %q: %w", app, err)
	}
	return config, nil
}

// ReplaceConfig sets the app's config vars to config, as a rollback does.
func (db *DB) ReplaceConfig(ctx context.Context, app string, config map[string]string) error {
	return db.writeConfig(ctx, db.db, app, config)
}

func (db *DB) writeConfig(ctx context.Context, q querier, app string, config map[string]string) error {
	sealed, err := db.sealConfig(app, config)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `UPDATE apps SET config = $2 WHERE name = $1`, app, sealed)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errAppNotFound(app)
	}
	return nil
}

func applyConfig(config map[string]string, changes map[string]*string) {
	for k, v := range changes {
		if v == nil {
			delete(config, k)
		} else {
			config[k] = *v
		}
	}
}
