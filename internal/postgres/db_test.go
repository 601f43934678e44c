package postgres

import (
	"testing"

	"github.com/gitpaas/paas/internal/pgtest"
)

func TestPing(t *testing.T) {
	t.Parallel()
	db, err := Open(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(t.Context()); err != nil {
		t.Errorf("Ping of an open database: %v", err)
	}
	db.Close()
	if err := db.Ping(t.Context()); err == nil {
		t.Error("Ping of a closed database succeeded, want an error")
	}
}

func TestOpenFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dsn  string
	}{
		{name: "malformed", dsn: "host='unterminated"},
		{name: "no server", dsn: "host=" + t.TempDir() + " dbname=paas sslmode=disable connect_timeout=5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if db, err := Open(t.Context(), tt.dsn); err == nil {
				db.Close()
				t.Errorf("Open(%q) succeeded, want an error", tt.dsn)
			}
		})
	}
}
