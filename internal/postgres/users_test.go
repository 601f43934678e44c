package postgres_test

import (
	"crypto/sha256"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	if _, err := db.CreateUser(t.Context(), "taken", false); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		user     string
		admin    bool
		want     *paas.User
		wantCode string
		wantMsg  string
	}{
		{name: "user", user: "alice", want: &paas.User{Name: "alice"}},
		{name: "admin", user: "root", admin: true, want: &paas.User{Name: "root", Admin: true}},
		{name: "duplicate", user: "taken", wantCode: paas.ECONFLICT, wantMsg: `user "taken" already exists; choose another name`},
		{name: "no name", user: "", wantCode: paas.EINVALID, wantMsg: "user name is empty; give the user a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.CreateUser(t.Context(), tt.user, tt.admin)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				checkMessage(t, err, tt.wantMsg)
				return
			}
			checkRecent(t, "CreatedAt", got.CreatedAt)
			tt.want.ID = got.ID
			if diff := cmp.Diff(tt.want, got, ignoreTimes); diff != "" {
				t.Errorf("CreateUser mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetUser(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	alice, err := db.CreateUser(t.Context(), "alice", true)
	checkCode(t, err, "")
	tests := []struct {
		name     string
		user     string
		want     *paas.User
		wantCode string
	}{
		{name: "exists", user: "alice", want: alice},
		{name: "missing", user: "bob", wantCode: paas.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.GetUser(t.Context(), tt.user)
			checkCode(t, err, tt.wantCode)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GetUser mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCountUsers(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	for want, name := range []string{"", "alice", "bob"} {
		if name != "" {
			if _, err := db.CreateUser(t.Context(), name, false); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.CountUsers(t.Context())
		checkCode(t, err, "")
		if got != want {
			t.Errorf("CountUsers = %d, want %d", got, want)
		}
	}
}

// hash returns the SHA-256 hash of a token, as the API stores it.
func hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func TestCreateToken(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	alice, err := db.CreateUser(t.Context(), "alice", false)
	checkCode(t, err, "")
	checkCode(t, db.CreateToken(t.Context(), alice.ID, "laptop", hash("taken")), "")
	tests := []struct {
		name     string
		userID   int64
		hash     []byte
		wantCode string
	}{
		{name: "new", userID: alice.ID, hash: hash("secret")},
		{name: "duplicate hash", userID: alice.ID, hash: hash("taken"), wantCode: paas.ECONFLICT},
		{name: "missing user", userID: 999, hash: hash("other"), wantCode: paas.ENOTFOUND},
		{name: "not a sha-256 hash", userID: alice.ID, hash: []byte("secret"), wantCode: paas.EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCode(t, db.CreateToken(t.Context(), tt.userID, "ci", tt.hash), tt.wantCode)
		})
	}
}
