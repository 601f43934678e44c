package api

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/ratelimit"
)

// Accounts logs users in, makes users and issues tokens.
type Accounts interface {
	Login(ctx context.Context, name, password, client string) (*paas.User, *paas.Token, string, error)
	CreateUser(ctx context.Context, name string, admin bool, password string) (*paas.User, string, error)
	Issue(ctx context.Context, by *paas.Identity, name string, scope paas.Scope, ttl time.Duration) (*paas.Token, string, error)
}

// UserLister lists users.
type UserLister interface {
	ListUsers(ctx context.Context) ([]*paas.User, error)
}

// TokenStore lists and revokes tokens.
type TokenStore interface {
	ListTokens(ctx context.Context, userID int64) ([]*paas.Token, error)
	RevokeToken(ctx context.Context, id, userID int64) error
}

// newTokenBody answers a login or a new token: the token as listed and its
// secret, shown this once.
type newTokenBody struct {
	*paas.Token
	Secret string `json:"secret"`
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type loginHandlers struct {
	accounts       Accounts
	perIP, perUser *limiter
}

// login trades a user name and password for a new token with the user's
// rights. Attempts are limited per client address and per user name.
func (h *loginHandlers) login(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req, `{"name":"ada","password":"…"}`); err != nil {
		c.Error(err)
		return
	}
	if !h.allow(c, req.Name) {
		return
	}
	u, t, secret, err := h.accounts.Login(c.Request.Context(), req.Name, req.Password, c.Request.UserAgent())
	if err != nil {
		c.Error(err)
		return
	}
	setIdentity(c, &paas.Identity{User: *u, Token: *t})
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, newTokenBody{Token: t, Secret: secret})
}

// allow spends a login attempt of the client's address and of the user
// name, and answers 429 with Retry-After when either has none left.
func (h *loginHandlers) allow(c *gin.Context, name string) bool {
	ok, wait := h.perIP.Take(c.ClientIP())
	if ok {
		ok, wait = h.perUser.Take(clip(name))
	}
	if ok {
		return true
	}
	secs := ratelimit.RetryAfterSeconds(wait)
	c.Header("Retry-After", strconv.Itoa(secs))
	c.Error(paas.Errorf(paas.ERATELIMITED, "too many login attempts; try again in %d seconds", secs))
	return false
}

type userHandlers struct {
	accounts Accounts
	users    UserLister
}

func (h *userHandlers) list(c *gin.Context) {
	users, err := h.users.ListUsers(c.Request.Context())
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(users))
}

type createUserRequest struct {
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
	// Password, when empty, is generated and returned once.
	Password string `json:"password"`
}

// createdUserBody answers a new user: the password is there only when it
// was generated.
type createdUserBody struct {
	User     *paas.User `json:"user"`
	Password string     `json:"password,omitempty"`
}

func (h *userHandlers) create(c *gin.Context) {
	var req createUserRequest
	if err := decodeJSON(c, &req, `{"name":"ada","admin":false}`); err != nil {
		c.Error(err)
		return
	}
	u, generated, err := h.accounts.CreateUser(c.Request.Context(), req.Name, req.Admin, req.Password)
	if err != nil {
		c.Error(err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, createdUserBody{User: u, Password: generated})
}

type tokenHandlers struct {
	accounts Accounts
	tokens   TokenStore
}

// list shows the caller's tokens that are not revoked.
func (h *tokenHandlers) list(c *gin.Context) {
	tokens, err := h.tokens.ListTokens(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(tokens))
}

type createTokenRequest struct {
	Name  string `json:"name"`
	Scope string `json:"scope"`
	// ExpiresIn is the token's lifetime in seconds.
	ExpiresIn int64 `json:"expires_in"`
}

// create makes a token for the caller, no stronger than the one they call
// with.
func (h *tokenHandlers) create(c *gin.Context) {
	var req createTokenRequest
	if err := decodeJSON(c, &req, `{"name":"ci","scope":"deploy","expires_in":2592000}`); err != nil {
		c.Error(err)
		return
	}
	ttl := time.Duration(min(req.ExpiresIn, math.MaxInt64/int64(time.Second))) * time.Second
	t, secret, err := h.accounts.Issue(c.Request.Context(), currentIdentity(c), req.Name, paas.Scope(req.Scope), ttl)
	if err != nil {
		c.Error(err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, newTokenBody{Token: t, Secret: secret})
}

// revoke revokes one of the caller's tokens; platform admins may revoke
// anyone's.
func (h *tokenHandlers) revoke(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		c.Error(paas.Errorf(paas.EINVALID, "token id %q is not a number; list your tokens with: paas tokens", clip(c.Param("id"))))
		return
	}
	owner := currentUser(c).ID
	if currentUser(c).Admin {
		owner = 0
	}
	if err := h.tokens.RevokeToken(c.Request.Context(), id, owner); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}
