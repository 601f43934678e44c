package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

// Cookie names. The session cookie holds the session's token; the login
// cookie a random value that the login form repeats (double submit), so a
// third-party page cannot log someone in as another user.
const (
	sessionCookie = "paas_session"
	loginCookie   = "paas_login"
	flashCookie   = "paas_flash"
)

// request is an authenticated request to the console, with the app it
// acts on when it names one.
type request struct {
	*http.Request
	id  *paas.Identity
	app *paas.App
	// csrf is the token every form of this session carries.
	csrf string
}

type handler func(w http.ResponseWriter, r *request)

// session runs h for a logged-in caller whose POSTs carry the session's
// CSRF token; anyone else is sent to the login page.
func (c *Console) session(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, err := c.authenticate(r)
		if err != nil {
			c.toLogin(w, r)
			return
		}
		if r.Method == http.MethodPost && !c.validPost(r, req.csrf) {
			c.fail(w, r, req, paas.Errorf(paas.EFORBIDDEN, "this form has expired or came from another site; reload the page and try again"))
			return
		}
		h(w, req)
	}
}

// app runs h for a caller who may do what need asks on the app of the
// path, the same rule the API applies.
func (c *Console) app(need paas.Permission, h handler) http.HandlerFunc {
	return c.session(func(w http.ResponseWriter, r *request) {
		name := r.PathValue("app")
		if err := c.svc.Authz.Authorize(r.Context(), r.id, name, need); err != nil {
			c.fail(w, r.Request, r, err)
			return
		}
		a, err := c.svc.Apps.GetApp(r.Context(), name)
		if err != nil {
			c.fail(w, r.Request, r, err)
			return
		}
		r.app = a
		h(w, r)
	})
}

func (c *Console) authenticate(r *http.Request) (*request, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, errors.New("no session")
	}
	id, err := c.svc.Accounts.Authenticate(r.Context(), ck.Value)
	if err != nil {
		return nil, err
	}
	return &request{Request: r, id: id, csrf: csrfToken(ck.Value)}, nil
}

// csrfToken derives the forms' token from the session's secret: only a
// page that can read the session's own pages knows it.
func csrfToken(session string) string {
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("paas console csrf"))
	return hex.EncodeToString(m.Sum(nil))
}

// validPost checks a form's CSRF token and, when the browser sends one,
// that the Origin is this site.
func (c *Console) validPost(r *http.Request, want string) bool {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (c *Console) toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		c.fail(w, r, nil, paas.Errorf(paas.EUNAUTHORIZED, "your session has ended; log in again"))
		return
	}
	next := r.URL.RequestURI()
	http.Redirect(w, r, Prefix+"/login?next="+url.QueryEscape(next), http.StatusSeeOther)
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, err := c.authenticate(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	c.renderLogin(w, r, http.StatusOK, "", "")
}

func (c *Console) renderLogin(w http.ResponseWriter, r *http.Request, status int, name, problem string) {
	token := randomHex(16)
	c.setCookie(w, loginCookie, token, 3600)
	c.render(w, r, status, "login", &view{Title: "Log in", CSRF: token, Error: problem, Flash: c.takeFlash(w, r),
		Data: map[string]string{"Name": name, "Next": safeNext(r.FormValue("next"))}})
}

// login trades a user name and password for a session. Attempts are
// limited per client address and per user name, as the API's are.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	ck, err := r.Cookie(loginCookie)
	if err != nil || !c.validPost(r, ck.Value) {
		c.renderLogin(w, r, http.StatusForbidden, name, "This form has expired; try again.")
		return
	}
	if ok, wait := c.allowLogin(r, name); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		c.renderLogin(w, r, http.StatusTooManyRequests, name, "Too many login attempts; try again in "+retryAfter(wait)+" seconds.")
		return
	}
	secret, id, err := c.startSession(r.Context(), name, r.PostFormValue("password"))
	c.audit(r, id, "login", "", statusOf(err))
	if err != nil {
		c.renderLogin(w, r, statusOf(err), name, capitalize(paas.ErrorMessage(err))+".")
		return
	}
	c.setCookie(w, sessionCookie, secret, int(c.opts.SessionTTL.Seconds()))
	c.setCookie(w, loginCookie, "", -1)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// startSession checks the password and makes the session's token: a
// token of the user that lasts SessionTTL. The 30-day token a login makes
// is revoked at once, so only the short one exists.
func (c *Console) startSession(ctx context.Context, name, password string) (string, *paas.Identity, error) {
	u, t, _, err := c.svc.Accounts.Login(ctx, name, password, "console")
	if err != nil {
		return "", nil, err
	}
	by := &paas.Identity{User: *u, Token: *t}
	st, secret, err := c.svc.Accounts.Issue(ctx, by, "console session", paas.ScopeAdmin, c.opts.SessionTTL)
	if rerr := c.svc.Tokens.RevokeToken(ctx, t.ID, u.ID); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return "", by, err
	}
	return secret, &paas.Identity{User: *u, Token: *st}, nil
}

func (c *Console) logout(w http.ResponseWriter, r *request) {
	err := c.svc.Tokens.RevokeToken(r.Context(), r.id.Token.ID, r.id.User.ID)
	c.audit(r.Request, r.id, "logout", "", statusOf(err))
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	c.setCookie(w, sessionCookie, "", -1)
	c.flash(w, "ok", "You are logged out.")
	http.Redirect(w, r.Request, Prefix+"/login", http.StatusSeeOther)
}

func (c *Console) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, Secure: c.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// safeNext keeps a redirect after login on the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix+"/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return Prefix + "/"
	}
	return next
}

func (c *Console) allowLogin(r *http.Request, name string) (bool, time.Duration) {
	ok, wait := c.perIP.Take(clientIP(r))
	if ok {
		ok, wait = c.perUser.Take(clip(name, paas.MaxUserNameLen+1))
	}
	return ok, wait
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// audit records a change made from the console in the platform's audit
// log, as the API records its own: who, what, on which app, the outcome.
func (c *Console) audit(r *http.Request, id *paas.Identity, action, app string, status int) {
	e := &paas.AuditEntry{Action: action, App: app, Method: r.Method, Path: r.URL.Path,
		Status: status, ClientIP: clientIP(r)}
	if id != nil {
		e.User, e.TokenID = id.User.Name, id.Token.ID
	}
	ctx := context.WithoutCancel(r.Context())
	if err := c.svc.Audit.AddAuditEntry(ctx, e); err != nil {
		c.logger.Error("record audit entry", "action", action, "app", app, "error", err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
