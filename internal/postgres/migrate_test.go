package postgres

import (
	"sync"
	"testing"
	"testing/fstest"

	"github.com/gitpaas/paas/internal/pgtest"
	"github.com/google/go-cmp/cmp"
)

func TestLoadMigrations(t *testing.T) {
	t.Parallel()
	file := func(sql string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(sql)} }
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		want    []int // versions in order
		wantErr bool
	}{
		{name: "numeric order", fsys: fstest.MapFS{
			"migrations/0010_c.sql": file("c"), "migrations/0002_b.sql": file("b"), "migrations/0001_a.sql": file("a"),
			"migrations/README": file("not a migration"),
		}, want: []int{1, 2, 10}},
		{name: "none", fsys: fstest.MapFS{}, want: nil},
		{name: "no number", fsys: fstest.MapFS{"migrations/init.sql": file("a")}, wantErr: true},
		{name: "zero", fsys: fstest.MapFS{"migrations/0000_init.sql": file("a")}, wantErr: true},
		{name: "same number", fsys: fstest.MapFS{"migrations/0001_a.sql": file("a"), "migrations/1_b.sql": file("b")}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.fsys)
			if (err != nil) != tt.wantErr {
				t.Fatalf("loadMigrations() error = %v, want error: %t", err, tt.wantErr)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("versions mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// appliedMigrations returns the versions recorded in schema_migrations.
func appliedMigrations(t *testing.T, db *DB) []int {
	t.Helper()
	rows, err := db.db.QueryContext(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var versions []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return versions
}

// embeddedVersions returns the versions of the embedded migrations.
func embeddedVersions(t *testing.T) []int {
	t.Helper()
	ms, err := loadMigrations(migrations)
	if err != nil {
		t.Fatal(err)
	}
	var versions []int
	for _, m := range ms {
		versions = append(versions, m.version)
	}
	return versions
}

func TestOpenTwice(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	first, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	defer first.Close()
	if _, err := first.CreateApp(t.Context(), "hello", "admin"); err != nil {
		t.Fatal(err)
	}

	second, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	defer second.Close()
	if diff := cmp.Diff(embeddedVersions(t), appliedMigrations(t, second)); diff != "" {
		t.Errorf("applied migrations mismatch (-want +got):\n%s", diff)
	}
	if _, err := second.GetApp(t.Context(), "hello"); err != nil {
		t.Errorf("app made before the second Open: %v", err)
	}
}

func TestOpenConcurrently(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	const n = 4
	dbs := make([]*DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = Open(t.Context(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		defer dbs[i].Close()
	}
	if errs[0] == nil {
		if diff := cmp.Diff(embeddedVersions(t), appliedMigrations(t, dbs[0])); diff != "" {
			t.Errorf("applied migrations mismatch (-want +got):\n%s", diff)
		}
	}
}
