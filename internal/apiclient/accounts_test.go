package apiclient_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/gitpaas/paas/internal/apiclient/apiclienttest"
)

func TestLogin(t *testing.T) {
	ctx := context.Background()
	api := apiclienttest.New(t, testToken)
	api.AddUser("ada", "ada's long password", false)
	c, err := apiclient.New(apiclient.Config{Address: api.URL, UserAgent: "paas-cli/test"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.Login(ctx, "ada", "ada's long password")
	if err != nil {
		t.Fatal(err)
	}
	if tok.Secret != testToken || tok.User != "ada" || tok.Scope != paas.ScopeAdmin || tok.Name != "login from paas-cli/test" {
		t.Errorf("Login = %+v", tok)
	}
	_, err = c.Login(ctx, "ada", "wrong")
	wantCode(t, err, paas.EUNAUTHORIZED, "wrong user name or password")
	if got := api.Requests()[0].Authorization; got != "" {
		t.Errorf("login sent Authorization %q; want none", got)
	}
}

func TestRateLimitedIsItsOwnCode(t *testing.T) {
	c := clientFor(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(http.StatusTooManyRequests)
	}, apiclient.Config{})
	_, err := c.Login(context.Background(), "ada", "x")
	wantCode(t, err, paas.ERATELIMITED, "429")
}

func TestUsersTokensAccessAudit(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	created, err := c.Users().Create(ctx, "bea", false, "")
	if err != nil || created.User.Name != "bea" || created.Password == "" {
		t.Fatalf("Users().Create = %+v, %v; want a generated password", created, err)
	}
	users, err := c.Users().List(ctx)
	if err != nil || len(users) != 2 {
		t.Errorf("Users().List = %+v, %v", users, err)
	}

	tok, err := c.Tokens().Create(ctx, "ci", paas.ScopeDeploy, 48*time.Hour)
	if err != nil || tok.Secret == "" || tok.Scope != paas.ScopeDeploy || tok.ExpiresAt.Sub(time.Now()) < 47*time.Hour {
		t.Fatalf("Tokens().Create = %+v, %v", tok, err)
	}
	if body := api.Requests()[len(api.Requests())-1].Body; !strings.Contains(body, `"expires_in":172800`) {
		t.Errorf("token request %s; want expires_in in seconds", body)
	}
	if err := c.Tokens().Revoke(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	err = c.Tokens().Revoke(ctx, tok.ID)
	wantCode(t, err, paas.ENOTFOUND, "not found")
	if list, err := c.Tokens().List(ctx); err != nil || len(list) != 0 {
		t.Errorf("Tokens().List = %+v, %v; want none left", list, err)
	}

	api.AddApp("hello")
	if _, err := c.Access().Set(ctx, "hello", "bea", paas.RoleDeployer); err != nil {
		t.Fatal(err)
	}
	cs, err := c.Access().List(ctx, "hello")
	if err != nil || len(cs) != 2 || cs[0].Role != paas.RoleOwner || cs[1].User != "bea" {
		t.Errorf("Access().List = %+v, %v", cs, err)
	}
	if err := c.Access().Remove(ctx, "hello", "bea"); err != nil {
		t.Fatal(err)
	}
	_, err = c.Access().Set(ctx, "hello", "nobody", paas.RoleViewer)
	wantCode(t, err, paas.ENOTFOUND, "user \"nobody\" not found")

	api.AddAuditEntry(paas.AuditEntry{User: "admin", Action: "app.create", App: "hello", Status: 201})
	api.AddAuditEntry(paas.AuditEntry{User: "admin", Action: "config.set", App: "other", Status: 200})
	entries, err := c.Audit(ctx, "hello", 10)
	if err != nil || len(entries) != 1 || entries[0].Action != "app.create" {
		t.Errorf("Audit(hello) = %+v, %v", entries, err)
	}
	if last := api.Requests()[len(api.Requests())-1]; last.Path != "/v1/audit" {
		t.Errorf("audit went to %s", last.Path)
	}
}
