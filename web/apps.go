package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gitpaas/paas"
)

// maxApps bounds the apps list; past it the page says so.
const maxApps = 500

// appRow is one line of the apps list.
type appRow struct {
	App    *paas.App
	Status string
	// Tone is ok, busy, bad or idle, for the status badge.
	Tone string
	URL  string
}

func (c *Console) appsPage(w http.ResponseWriter, r *request) {
	apps, err := c.visibleApps(r)
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	rows := make([]appRow, 0, len(apps))
	for _, a := range apps {
		status, tone := c.appStatus(r, a)
		rows = append(rows, appRow{App: a, Status: status, Tone: tone, URL: c.opts.WebURL(a.Name)})
	}
	canCreate := c.svc.Authz.Authorize(r.Context(), r.id, "", anyDeploy) == nil
	c.render(w, r.Request, http.StatusOK, "apps", c.page(w, r, "Apps", "", map[string]any{
		"Apps": rows, "CanCreate": canCreate, "More": len(apps) == maxApps}))
}

// visibleApps lists the apps the caller may see: all of them for platform
// admins, else those they have a role on, as GET /v1/apps does.
func (c *Console) visibleApps(r *request) ([]*paas.App, error) {
	if r.id.User.Admin {
		return c.svc.Apps.ListAppsPage(r.Context(), "", maxApps)
	}
	return c.svc.Apps.ListAppsPageOf(r.Context(), r.id.User.ID, "", maxApps)
}

// appStatus sums an app up from its latest build and release.
func (c *Console) appStatus(r *request, a *paas.App) (string, string) {
	builds, err := c.svc.Builds.ListBuildsPage(r.Context(), a.Name, 0, 1)
	if err == nil && len(builds) == 1 && !builds[0].Status.Done() {
		return "building", "busy"
	}
	rels, err := c.svc.Releases.ListReleasesPage(r.Context(), a.Name, 0, 1)
	switch {
	case err != nil:
		return "unknown", "idle"
	case len(rels) == 1 && (rels[0].Status == paas.ReleasePending || rels[0].Status == paas.ReleaseDeploying):
		return "deploying", "busy"
	case len(builds) == 1 && builds[0].Status == paas.BuildFailed && (len(rels) == 0 || builds[0].CreatedAt.After(rels[0].CreatedAt)):
		return "last build failed", "bad"
	case a.Release == 0:
		return "not deployed", "idle"
	case len(rels) == 1 && rels[0].Status == paas.ReleaseFailed:
		return "last release failed", "bad"
	}
	return "running", "ok"
}

func (c *Console) createApp(w http.ResponseWriter, r *request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	err := c.svc.Authz.Authorize(r.Context(), r.id, "", anyDeploy)
	if err == nil {
		err = paas.ValidateAppName(name)
	}
	if err == nil {
		_, err = c.svc.Creator.Create(r.Context(), name, r.id.User.Name)
	}
	c.audit(r.Request, r.id, "app.create", name, statusOf(err))
	if err != nil {
		c.done(w, r, Prefix+"/", err, "")
		return
	}
	c.done(w, r, Prefix+"/apps/"+name, nil, "Created app "+name+". Push to its git remote to deploy it.")
}

// overview is the app's front page.
type overview struct {
	GitURL    string
	Release   *paas.Release
	Formation []paas.Process
	Processes []paas.ProcessState
	// ProcessError says why processes could not be listed.
	ProcessError string
	Domains      []string
	// HasDomains says the platform serves custom domains, CustomDomains
	// are the app's, and DomainsFailed that they could not be listed.
	// Traffic is maintenance, the canary and autoscaling. None of them is
	// read for the refreshed processes fragment.
	HasDomains    bool
	CustomDomains []*paas.Domain
	DomainsFailed bool
	Traffic       *traffic
}

func (c *Console) overviewPage(w http.ResponseWriter, r *request) {
	data, err := c.overview(r)
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	c.customDomains(r, data)
	data.Traffic = c.traffic(r)
	c.render(w, r.Request, http.StatusOK, "overview", c.page(w, r, r.app.Name, "overview", data))
}

func (c *Console) overview(r *request) (*overview, error) {
	o := &overview{GitURL: c.opts.GitURL(r.app.Name), Domains: []string{c.opts.WebURL(r.app.Name)}}
	rel, err := c.currentRelease(r)
	if err != nil {
		return nil, err
	}
	if rel != nil {
		o.Release, o.Formation = rel, rel.Spec.Formation
	}
	o.Processes, err = c.svc.Releaser.Processes(r.Context(), r.app.Name)
	if err != nil {
		o.ProcessError = capitalize(paas.ErrorMessage(err))
	}
	return o, nil
}

// processesFragment is the processes table alone, which the script
// refreshes in place.
func (c *Console) processesFragment(w http.ResponseWriter, r *request) {
	data, err := c.overview(r)
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	c.renderTemplate(w, r.Request, http.StatusOK, "overview", "processes", c.page(w, r, r.app.Name, "overview", data))
}

// currentRelease returns the release serving app, nil when none does.
func (c *Console) currentRelease(r *request) (*paas.Release, error) {
	if r.app.Release == 0 {
		return nil, nil
	}
	rels, err := c.svc.Releases.ListReleasesPage(r.Context(), r.app.Name, r.app.Release+1, 1)
	if err != nil || len(rels) == 0 {
		return nil, err
	}
	return rels[0], nil
}

// maxCount bounds a process type's count set from the console.
const maxCount = 100

func (c *Console) scale(w http.ResponseWriter, r *request) {
	to := Prefix + "/apps/" + r.app.Name
	counts, err := parseCounts(r.PostForm)
	if err == nil {
		_, err = c.svc.Releaser.Scale(r.Context(), r.app.Name, &r.id.User, counts, io.Discard)
	}
	c.audit(r.Request, r.id, "formation.scale", r.app.Name, statusOf(err))
	c.done(w, r, to, err, "Scaled "+describeCounts(counts)+".")
}

// parseCounts reads the scale form's count.<type> fields.
func parseCounts(form map[string][]string) (map[string]int, error) {
	counts := map[string]int{}
	for k, vs := range form {
		typ, ok := strings.CutPrefix(k, "count.")
		if !ok || len(vs) == 0 {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
		if err != nil || n < 0 || n > maxCount {
			return nil, paas.Errorf(paas.EINVALID, "the count of %s must be a whole number from 0 to %d", clip(typ, 40), maxCount)
		}
		counts[typ] = n
	}
	if len(counts) == 0 {
		return nil, paas.Errorf(paas.EINVALID, "no process type to scale; deploy the app first")
	}
	return counts, nil
}

func describeCounts(counts map[string]int) string {
	parts := make([]string, 0, len(counts))
	for t, n := range counts {
		parts = append(parts, t+"="+strconv.Itoa(n))
	}
	return strings.Join(parts, " ")
}
