package web

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFS embed.FS

func staticFiles() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})
}

// pageNames are the templates/<name>.html files, each a page that fills
// the layout's "content".
var pageNames = []string{"login", "apps", "overview", "builds", "build", "releases", "config", "addons", "metrics", "activity", "error"}

// pages holds each page parsed with the layout and the shared partials.
type pages struct {
	byName map[string]*template.Template
}

func loadPages() *pages {
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t := template.New(name).Funcs(funcs)
		p.byName[name] = template.Must(t.ParseFS(templateFiles, "templates/layout.html", "templates/partials.html", "templates/"+name+".html"))
	}
	return p
}

// view is what every page template gets.
type view struct {
	Title string
	User  *paas.User
	CSRF  string
	// App and Tab are set on an app's pages.
	App       *paas.App
	Tab       string
	WebURL    string
	CanDeploy bool
	CanOwn    bool
	Flash     *flashMessage
	// Error is a problem with what was just asked, shown above the page.
	Error string
	Data  any
}

type flashMessage struct {
	Kind, Text string
}

// page fills in what an authenticated page needs around data.
func (c *Console) page(w http.ResponseWriter, r *request, title, tab string, data any) *view {
	v := &view{Title: title, User: &r.id.User, CSRF: r.csrf, Tab: tab, Data: data, Flash: c.takeFlash(w, r.Request)}
	if r.app != nil {
		v.App = r.app
		v.WebURL = c.opts.WebURL(r.app.Name)
		v.CanDeploy = c.svc.Authz.Authorize(r.Context(), r.id, r.app.Name, deployer) == nil
		v.CanOwn = c.svc.Authz.Authorize(r.Context(), r.id, r.app.Name, ownerReads) == nil
	}
	return v
}

// render writes page name with v, buffered so a template error becomes a
// clean 500 rather than half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	c.renderTemplate(w, r, status, name, "layout", v)
}

func (c *Console) renderTemplate(w http.ResponseWriter, r *http.Request, status int, page, tmpl string, v any) {
	var buf bytes.Buffer
	if err := c.pages.byName[page].ExecuteTemplate(&buf, tmpl, v); err != nil {
		c.logger.Error("render console page", "page", page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows err as a page with its status. Internal errors are logged
// and shown without their detail.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, req *request, err error) {
	status := statusOf(err)
	msg := capitalize(paas.ErrorMessage(err))
	if status == http.StatusInternalServerError {
		c.logger.Error("console", "path", r.URL.Path, "error", err)
		msg = "Something went wrong on the platform; try again, or ask an operator to check its log."
	}
	v := &view{Title: http.StatusText(status), Error: msg}
	if req != nil {
		v.User, v.CSRF = &req.id.User, req.csrf
	}
	c.render(w, r, status, "error", v)
}

// statusOf maps an error kind to the HTTP status of its page, as the API
// does; nil is 200.
func statusOf(err error) int {
	if err == nil {
		return http.StatusOK
	}
	return paas.HTTPStatus(paas.ErrorCode(err))
}

// flash keeps a message for the next page, after a redirect.
func (c *Console) flash(w http.ResponseWriter, kind, text string) {
	c.setCookie(w, flashCookie, kind+"."+base64.RawURLEncoding.EncodeToString([]byte(text)), 60)
}

func (c *Console) takeFlash(w http.ResponseWriter, r *http.Request) *flashMessage {
	ck, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	c.setCookie(w, flashCookie, "", -1)
	kind, enc, _ := strings.Cut(ck.Value, ".")
	text, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || (kind != "ok" && kind != "error") {
		return nil
	}
	return &flashMessage{Kind: kind, Text: string(text)}
}

// done answers a form: back to to, with the outcome as a flash message.
func (c *Console) done(w http.ResponseWriter, r *request, to string, err error, ok string) {
	if err != nil {
		c.flash(w, "error", capitalize(paas.ErrorMessage(err)))
	} else {
		c.flash(w, "ok", ok)
	}
	http.Redirect(w, r.Request, to, http.StatusSeeOther)
}

var funcs = template.FuncMap{
	"prefix": func() string { return Prefix },
	"ago":    ago,
	"when":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"short": func(s string) string {
		if len(s) > 7 {
			return s[:7]
		}
		return s
	},
	"join":        strings.Join,
	"canarySteps": canarySteps,
	"targets":     autoscaleTargets,
	"until":       until,
	"appPath": func(app *paas.App, rest ...string) string {
		return Prefix + "/apps/" + app.Name + strings.Join(rest, "")
	},
}

// ago says how long ago t was, for people.
func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}
