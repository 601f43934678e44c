package apiclienttest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

// maxProcessCount is the pipeline's bound on ps:scale.
const maxProcessCount = 100

// configChange is the answer to PATCH /v1/apps/{app}/config.
type configChange struct {
	Release    *paas.Release `json:"release"`
	ConfigKeys []string      `json:"config_keys"`
}

func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.findApp(w, r); ok {
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, nonNilMap(s.config[a.Name]))
	}
}

func (s *Server) patchConfig(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.findApp(w, r)
	var changes map[string]*string
	if !ok || !decodeBody(w, r, &changes) {
		return
	}
	if err := validateChanges(changes); err != nil {
		writeError(w, err)
		return
	}
	cfg := maps.Clone(nonNilMap(s.config[a.Name]))
	applyChanges(cfg, changes)
	if len(cfg) > paas.MaxConfigVars {
		writeError(w, paas.Errorf(paas.EINVALID, "an app may have at most %d config vars", paas.MaxConfigVars))
		return
	}
	base, ok := s.currentRelease(a)
	if !ok {
		s.config[a.Name] = cfg
		writeJSON(w, http.StatusOK, configChange{ConfigKeys: sortedKeys(cfg)})
		return
	}
	next := cloneRelease(base)
	next.Config = cfg
	rel := s.release(next, paas.ReasonConfig, describeChanges(changes))
	writeJSON(w, http.StatusOK, configChange{Release: &rel, ConfigKeys: rel.ConfigKeys})
}

func (s *Server) rollback(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.findApp(w, r)
	var in struct {
		Version int `json:"version"`
	}
	if !ok || r.ContentLength != 0 && !decodeBody(w, r, &in) {
		return
	}
	target, err := s.rollbackTarget(a, in.Version)
	if err != nil {
		writeError(w, err)
		return
	}
	rel := s.release(cloneRelease(target), paas.ReasonRollback, fmt.Sprintf("Rollback to v%d", target.Version))
	writeJSON(w, http.StatusCreated, rel)
}

// rollbackTarget picks the release to roll back to as the pipeline does.
// The caller holds s.mu.
func (s *Server) rollbackTarget(a paas.App, version int) (paas.Release, error) {
	if a.Release == 0 {
		return paas.Release{}, paas.Errorf(paas.EINVALID, "app %s has no release to roll back from; push first", a.Name)
	}
	if version != 0 {
		r, ok := s.findRelease(a.Name, version)
		if !ok {
			return r, paas.Errorf(paas.ENOTFOUND, "release %q of app %q not found; list them with: paas releases -a %s", fmt.Sprint(version), a.Name, a.Name)
		}
		if r.Status != paas.ReleaseSucceeded {
			return r, paas.Errorf(paas.EINVALID, "v%d never ran (it %s); roll back to a release that did: paas releases -a %s", version, r.Status, a.Name)
		}
		return r, nil
	}
	for v := a.Release - 1; v >= 1; v-- {
		if r, ok := s.findRelease(a.Name, v); ok && r.Status == paas.ReleaseSucceeded {
			return r, nil
		}
	}
	return paas.Release{}, paas.Errorf(paas.EINVALID, "app %s has no earlier release that ran; nothing to roll back to", a.Name)
}

func (s *Server) getFormation(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.findApp(w, r)
	if !ok {
		return
	}
	base, _ := s.currentRelease(a)
	writeJSON(w, http.StatusOK, nonNilSlice(base.Spec.Formation))
}

func (s *Server) scale(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.findApp(w, r)
	var counts map[string]int
	if !ok || !decodeBody(w, r, &counts) {
		return
	}
	base, ok := s.currentRelease(a)
	if !ok {
		writeError(w, noRelease(a.Name))
		return
	}
	next := cloneRelease(base)
	if err := applyCounts(next.Spec.Formation, counts); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.release(next, paas.ReasonScale, describeCounts(counts)))
}

func (s *Server) listProcesses(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.findApp(w, r); ok {
		writeJSON(w, http.StatusOK, nonNilSlice(s.procs[a.Name]))
	}
}

func (s *Server) restart(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.findApp(w, r)
	var in struct {
		Type string `json:"type"`
	}
	if !ok || r.ContentLength != 0 && !decodeBody(w, r, &in) {
		return
	}
	if err := s.restartLocked(a, in.Type); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// restartLocked checks a restart as the pipeline and scheduler do, and
// marks the instances restarted now. The caller holds s.mu.
func (s *Server) restartLocked(a paas.App, typ string) error {
	base, ok := s.currentRelease(a)
	if !ok {
		return noRelease(a.Name)
	}
	if _, known := base.Spec.Process(typ); typ != "" && !known {
		return paas.Errorf(paas.EINVALID, "no process type %q in v%d; the types are %s", typ, base.Version, typeNames(base.Spec.Formation))
	}
	restarted := 0
	for i, p := range s.procs[a.Name] {
		if p.Release == base.Version && (typ == "" || p.Type == typ) {
			s.procs[a.Name][i].Since = time.Now().UTC().Truncate(time.Second)
			restarted++
		}
	}
	if restarted == 0 {
		return paas.Errorf(paas.ENOTFOUND, "release v%d of %s has no %sinstances to restart", base.Version, a.Name, strings.TrimPrefix(typ+" ", " "))
	}
	return nil
}

// release records next as the new current release of its app, made by the
// API for reason, and replaces the app's instances with its formation, as
// a finished rollout would. The caller holds s.mu.
func (s *Server) release(next paas.Release, reason paas.ReleaseReason, description string) paas.Release {
	next.Version = 1
	for _, r := range s.releases[next.App] {
		next.Version = max(next.Version, r.Version+1)
	}
	next.Reason, next.Description = reason, description
	next.Status, next.Current = paas.ReleaseSucceeded, true
	next.CreatedBy, next.CreatedAt = s.User.Name, time.Now().UTC().Truncate(time.Second)
	next.ConfigKeys = sortedKeys(next.Config)
	r := s.addReleaseLocked(next)
	s.procs[r.App] = instancesOf(r)
	return r
}

// instancesOf lists healthy running instances of r's formation.
func instancesOf(r paas.Release) []paas.ProcessState {
	var ps []paas.ProcessState
	for _, p := range r.Spec.Formation {
		for n := 1; n <= p.Count; n++ {
			ps = append(ps, paas.ProcessState{
				Name: fmt.Sprintf("%s.%d", p.Type, n), Type: p.Type, Release: r.Version, State: "running",
				Healthy: true, AllocID: fmt.Sprintf("alloc-%d-%s-%d", r.Version, p.Type, n), Since: r.CreatedAt,
			})
		}
	}
	return ps
}

// currentRelease returns the release serving a. The caller holds s.mu.
func (s *Server) currentRelease(a paas.App) (paas.Release, bool) {
	if a.Release == 0 {
		return paas.Release{}, false
	}
	return s.findRelease(a.Name, a.Release)
}

// findRelease returns release version of app. The caller holds s.mu.
func (s *Server) findRelease(app string, version int) (paas.Release, bool) {
	for _, r := range s.releases[app] {
		if r.Version == version {
			return r, true
		}
	}
	return paas.Release{}, false
}

func noRelease(app string) error {
	return paas.Errorf(paas.ENOTFOUND, "app %s has no release yet; deploy it first with: git push paas main", app)
}

// cloneRelease copies what a new release takes over from base.
func cloneRelease(base paas.Release) paas.Release {
	spec := base.Spec
	spec.Formation = slices.Clone(base.Spec.Formation)
	spec.Env = maps.Clone(base.Spec.Env)
	return paas.Release{
		App: base.App, Image: base.Image, BuildID: base.BuildID, Spec: spec,
		Config: maps.Clone(base.Config), AppYML: base.AppYML,
	}
}

func validateChanges(changes map[string]*string) error {
	if len(changes) == 0 {
		return paas.Errorf(paas.EINVALID, "no config vars given; use KEY=value, e.g. paas config:set GREETING=hello")
	}
	for k, v := range changes {
		if err := paas.ValidateConfigKey(k); err != nil {
			return err
		}
		if v != nil {
			if err := paas.ValidateConfigValue(k, *v); err != nil {
				return err
			}
		}
	}
	return nil
}

func applyChanges(config map[string]string, changes map[string]*string) {
	for k, v := range changes {
		if v == nil {
			delete(config, k)
		} else {
			config[k] = *v
		}
	}
}

// describeChanges names the keys that changed, never their values.
func describeChanges(changes map[string]*string) string {
	var set, unset []string
	for _, k := range slices.Sorted(maps.Keys(changes)) {
		if changes[k] == nil {
			unset = append(unset, k)
		} else {
			set = append(set, k)
		}
	}
	var parts []string
	if len(set) > 0 {
		parts = append(parts, "Set "+strings.Join(set, ", "))
	}
	if len(unset) > 0 {
		parts = append(parts, "Unset "+strings.Join(unset, ", "))
	}
	return strings.Join(parts, "; ") + " config vars"
}

func applyCounts(formation []paas.Process, counts map[string]int) error {
	if len(counts) == 0 {
		return paas.Errorf(paas.EINVALID, "give counts like web=2 worker=1")
	}
	for typ, n := range counts {
		if n < 0 || n > maxProcessCount {
			return paas.Errorf(paas.EINVALID, "%s=%d: a count is between 0 and %d", typ, n, maxProcessCount)
		}
		i := slices.IndexFunc(formation, func(p paas.Process) bool { return p.Type == typ })
		if i < 0 {
			return paas.Errorf(paas.EINVALID, "no process type %q; the types are %s (declare new ones in app.yml or a Procfile)", typ, typeNames(formation))
		}
		formation[i].Count = n
	}
	return nil
}

func describeCounts(counts map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	return "Scale " + strings.Join(parts, " ")
}

func typeNames(formation []paas.Process) string {
	names := make([]string, 0, len(formation))
	for _, p := range formation {
		names = append(names, p.Type)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// decodeBody decodes a JSON request body into v or writes the invalid
// error the API answers malformed JSON with.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, paas.Errorf(paas.EINVALID, "request body is not valid JSON: %v", err))
		return false
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
