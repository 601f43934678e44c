package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/addons"
)

// operation documents one route of /v1 for the OpenAPI document. Every
// route gin serves under /v1 must have one; TestOpenAPIMatchesRoutes fails
// otherwise.
type operation struct {
	Method, Path string // gin form: /v1/apps/:app
	Summary      string
	Tag          string
	Request      any    // a value of the request body's type, or nil
	Response     any    // a value of the success body's type, or nil
	Status       int    // success status
	Produces     string // content type when not JSON, e.g. text/plain
}

// operations is the API as documented. Keep it in the order of server.go.
var operations = []operation{
	{"GET", "/v1/openapi.json", "This document", "meta", nil, nil, 200, "application/json"},
	{"POST", "/v1/login", "Log in with a user name and password (no token); answers a new token with the user's rights, shown this once. Rate limited: 429 with Retry-After", "users", loginRequest{}, newTokenBody{}, 201, ""},
	{"GET", "/v1/whoami", "The user the token belongs to", "users", nil, paas.User{}, 200, ""},
	{"GET", "/v1/users", "List users (platform admins)", "users", nil, []paas.User{}, 200, ""},
	{"POST", "/v1/users", "Create a user (platform admins); a password left out is generated and shown this once", "users", createUserRequest{}, createdUserBody{}, 201, ""},
	{"GET", "/v1/tokens", "List the caller's tokens that are not revoked", "users", nil, []paas.Token{}, 200, ""},
	{"POST", "/v1/tokens", "Create a token (scope read, deploy or admin; expires_in in seconds); its secret is shown this once", "users", createTokenRequest{}, newTokenBody{}, 201, ""},
	{"DELETE", "/v1/tokens/:id", "Revoke a token", "users", nil, nil, 204, ""},
	{"GET", "/v1/audit", "The audit log, newest first: all of it for platform admins, else the caller's apps'; ?app=&limit=", "users", nil, []paas.AuditEntry{}, 200, ""},
	{"GET", "/v1/teams", "List teams: all of them for platform admins, else the caller's", "teams", nil, []paas.Team{}, 200, ""},
	{"POST", "/v1/teams", "Create a team (platform admins)", "teams", createTeamRequest{}, paas.Team{}, 201, ""},
	{"DELETE", "/v1/teams/:team", "Delete a team, its memberships and its roles on apps (platform admins)", "teams", nil, nil, 204, ""},
	{"GET", "/v1/teams/:team/members", "A team's members (its members and platform admins)", "teams", nil, []paas.TeamMember{}, 200, ""},
	{"PUT", "/v1/teams/:team/members/:user", "Add a user to a team (platform admins)", "teams", nil, paas.TeamMember{}, 200, ""},
	{"DELETE", "/v1/teams/:team/members/:user", "Take a user out of a team (platform admins)", "teams", nil, nil, 204, ""},
	{"GET", "/v1/apps", "List apps", "apps", nil, []appBody{}, 200, ""},
	{"POST", "/v1/apps", "Create an app and its git repository", "apps", createAppRequest{}, appBody{}, 201, ""},
	{"GET", "/v1/apps/:app", "Show an app", "apps", nil, appBody{}, 200, ""},
	{"DELETE", "/v1/apps/:app", "Destroy an app with its processes, repository, builds and releases", "apps", nil, nil, 204, ""},
	{"GET", "/v1/apps/:app/access", "Which users and teams have which role on the app", "apps", nil, []paas.Collaborator{}, 200, ""},
	{"PUT", "/v1/apps/:app/access/:user", "Give a user a role (viewer, deployer, owner) on the app", "apps", setAccessRequest{}, paas.Collaborator{}, 200, ""},
	{"DELETE", "/v1/apps/:app/access/:user", "Take a user's role on the app away", "apps", nil, nil, 204, ""},
	{"PUT", "/v1/apps/:app/access/teams/:team", "Give a team a role (viewer, deployer, owner) on the app; its members hold it", "apps", setAccessRequest{}, paas.Collaborator{}, 200, ""},
	{"DELETE", "/v1/apps/:app/access/teams/:team", "Take a team's role on the app away", "apps", nil, nil, 204, ""},
	{"GET", "/v1/apps/:app/builds", "List builds, newest first", "builds", nil, []paas.Build{}, 200, ""},
	{"POST", "/v1/apps/:app/builds", "Deploy a source archive (tar or tar.gz body) as a push to main would; streams the output, outcome in the Paas-Result trailer", "builds", nil, nil, 200, "text/plain"},
	{"GET", "/v1/apps/:app/builds/:id", "Show a build", "builds", nil, paas.Build{}, 200, ""},
	{"GET", "/v1/apps/:app/builds/:id/log", "A build's output", "builds", nil, nil, 200, "text/plain"},
	{"GET", "/v1/apps/:app/releases", "List releases, newest first", "releases", nil, []paas.Release{}, 200, ""},
	{"GET", "/v1/apps/:app/releases/:version", "Show a release (3 or v3)", "releases", nil, paas.Release{}, 200, ""},
	{"GET", "/v1/apps/:app/config", "The current config vars", "config", nil, map[string]string{}, 200, ""},
	{"PATCH", "/v1/apps/:app/config", "Set (or, with null, unset) config vars; makes a release", "config", map[string]*string{}, configChangeResult{}, 200, ""},
	{"POST", "/v1/apps/:app/rollback", "Roll back to an earlier release as a new release", "releases", rollbackRequest{}, paas.Release{}, 201, ""},
	{"GET", "/v1/apps/:app/formation", "The process formation of the current release, with the counts the autoscaler set", "processes", nil, []paas.Process{}, 200, ""},
	{"PATCH", "/v1/apps/:app/formation", "Scale process types; makes a release", "processes", map[string]int{}, paas.Release{}, 200, ""},
	{"GET", "/v1/apps/:app/ps", "Running instances", "processes", nil, []paas.ProcessState{}, 200, ""},
	{"POST", "/v1/apps/:app/ps/restart", "Restart instances of a type, or all", "processes", restartRequest{}, nil, 204, ""},
	{"GET", "/v1/apps/:app/maintenance", "Whether the app is in maintenance mode", "traffic", nil, maintenanceState{}, 200, ""},
	{"PUT", "/v1/apps/:app/maintenance", "Turn maintenance mode on or off: the router answers 503 with a maintenance page", "traffic", maintenanceState{}, maintenanceState{}, 200, ""},
	{"GET", "/v1/apps/:app/canary", "The canary in progress: its share of clients, its steps and each analysis", "traffic", nil, paas.CanaryStatus{}, 200, ""},
	{"POST", "/v1/apps/:app/canary/promote", "Give the canary all the traffic now and make it the current release", "traffic", nil, nil, 204, ""},
	{"POST", "/v1/apps/:app/canary/abort", "Send all traffic back to the stable release and fail the canary", "traffic", nil, nil, 204, ""},
	{"GET", "/v1/apps/:app/autoscale", "Autoscaling policies with the current count and the latest reasoning", "autoscale", nil, []paas.AutoscaleStatus{}, 200, ""},
	{"PUT", "/v1/apps/:app/autoscale/:process", "Autoscale a process type on the router's traffic (durations as \"200ms\")", "autoscale", autoscaleRequest{}, paas.AutoscalePolicy{}, 200, ""},
	{"DELETE", "/v1/apps/:app/autoscale/:process", "Turn autoscaling of a process type off, whatever app.yml says", "autoscale", nil, paas.AutoscalePolicy{}, 200, ""},
	{"GET", "/v1/apps/:app/events", "What happened outside pushes, newest first: scale and drift; ?kind=scale", "events", nil, []paas.Event{}, 200, ""},
	{"GET", "/v1/apps/:app/logs", "The app's log: platform lines and its processes' output; ?num=100&process=web&tail=true streams new lines", "logs", nil, nil, 200, "text/plain"},
	{"GET", "/v1/apps/:app/webhooks", "List webhooks (secrets are not shown)", "webhooks", nil, []paas.Webhook{}, 200, ""},
	{"POST", "/v1/apps/:app/webhooks", "Add a webhook; its signing secret is shown this once", "webhooks", createWebhookRequest{}, paas.Webhook{}, 201, ""},
	{"DELETE", "/v1/apps/:app/webhooks/:id", "Remove a webhook", "webhooks", nil, nil, 204, ""},
	{"GET", "/v1/apps/:app/webhooks/:id/deliveries", "A webhook's newest deliveries", "webhooks", nil, []paas.Delivery{}, 200, ""},
	{"GET", "/v1/apps/:app/domains", "List custom domains (certificates and keys are not shown)", "domains", nil, []paas.Domain{}, 200, ""},
	{"POST", "/v1/apps/:app/domains", "Add a custom domain, with a PEM certificate and key or a self-signed certificate made for it", "domains", addDomainRequest{}, paas.Domain{}, 201, ""},
	{"DELETE", "/v1/apps/:app/domains/:hostname", "Remove a custom domain", "domains", nil, nil, 204, ""},
	{"POST", "/v1/apps/:app/runs", "Run a one-off process; streams output, exit code in the Paas-Exit-Code trailer", "processes", runRequest{}, nil, 200, "text/plain"},
	{"GET", "/v1/addons", "List every add-on (platform admins)", "addons", nil, []paas.Addon{}, 200, ""},
	{"GET", "/v1/addons/:addon", "Show any add-on (platform admins)", "addons", nil, paas.Addon{}, 200, ""},
	{"DELETE", "/v1/addons/:addon", "Destroy any add-on with its data (platform admins); ?force=true detaches it first", "addons", nil, nil, 204, ""},
	{"GET", "/v1/apps/:app/addons", "The add-ons of the app and those attached to it", "addons", nil, []paas.Addon{}, 200, ""},
	{"POST", "/v1/apps/:app/addons", "Provision an add-on (type postgres or redis, plan dev) and attach it; makes a release with its config var", "addons", createAddonRequest{}, addons.Change{}, 201, ""},
	{"GET", "/v1/apps/:app/addons/:addon", "Show an add-on of the app, with its status", "addons", nil, paas.Addon{}, 200, ""},
	{"DELETE", "/v1/apps/:app/addons/:addon", "Destroy an add-on of the app with its data (its backups stay); refused while attached unless ?force=true", "addons", nil, nil, 204, ""},
	{"PUT", "/v1/apps/:app/attachments/:addon", "Attach an existing add-on to the app as AS_URL (default DATABASE_URL or REDIS_URL); makes a release", "addons", attachRequest{}, addons.Change{}, 200, ""},
	{"DELETE", "/v1/apps/:app/attachments/:addon", "Detach an add-on from the app (its data stays); makes a release without its config var", "addons", nil, addons.Change{}, 200, ""},
	{"GET", "/v1/apps/:app/addons/:addon/backups", "List an add-on's backups, newest first", "addons", nil, []paas.Backup{}, 200, ""},
	{"POST", "/v1/apps/:app/addons/:addon/backups", "Capture a backup now; answers when it is stored", "addons", nil, paas.Backup{}, 201, ""},
	{"DELETE", "/v1/apps/:app/addons/:addon/backups/:id", "Delete a backup (b007 or 7)", "addons", nil, nil, 204, ""},
	{"POST", "/v1/apps/:app/addons/:addon/restores", "Replace the add-on's data with a backup, checksum verified first; a backup of another add-on needs confirm: the name of this one", "addons", restoreRequest{}, nil, 204, ""},
}

// openAPIDocument builds the OpenAPI 3 document of operations.
func openAPIDocument() map[string]any {
	paths := map[string]any{}
	for _, op := range operations {
		path := ginToOpenAPI(op.Path)
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		item[strings.ToLower(op.Method)] = op.document()
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "paas", "version": "v1",
			"description": "The platform's REST API. Every route needs Authorization: Bearer <token>. Errors are {\"error\":{\"code\",\"message\",\"request_id\"}}."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas":         map[string]any{"Error": schemaOf(reflect.TypeOf(errorBody{}))},
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
}

var ginParam = regexp.MustCompile(`:([a-z_]+)`)

func ginToOpenAPI(path string) string { return ginParam.ReplaceAllString(path, "{$1}") }

func (op operation) document() map[string]any {
	doc := map[string]any{"summary": op.Summary, "tags": []string{op.Tag}, "operationId": operationID(op)}
	if rules[op.Method+" "+op.Path].public {
		doc["security"] = []any{} // no token, as on login
	}
	var params []any
	for _, m := range ginParam.FindAllStringSubmatch(op.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	if op.Method == http.MethodPost {
		params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
			"description": "Replays the first response for the same key within 24 hours", "schema": map[string]any{"type": "string"}})
	}
	if params != nil {
		doc["parameters"] = params
	}
	if op.Request != nil {
		doc["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(op.Request))}}}
	}
	ok := map[string]any{"description": http.StatusText(op.Status)}
	switch {
	case op.Produces != "":
		ok["content"] = map[string]any{op.Produces: map[string]any{"schema": map[string]any{"type": "string"}}}
	case op.Response != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(op.Response))}}
	}
	errRef := map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	responses := map[string]any{itoa(op.Status): ok}
	for _, code := range []int{401, 403, 404, 409, 422, 429, 500, 503} {
		r := map[string]any{"description": http.StatusText(code)}
		for k, v := range errRef {
			r[k] = v
		}
		responses[itoa(code)] = r
	}
	doc["responses"] = responses
	return doc
}

func operationID(op operation) string {
	id := strings.ToLower(op.Method)
	for _, part := range strings.Split(strings.TrimPrefix(op.Path, "/v1/"), "/") {
		part = strings.TrimPrefix(part, ":")
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return r == '.' || r == '_' }) {
			id += strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return id
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

var timeType, durationType = reflect.TypeOf(time.Time{}), reflect.TypeOf(time.Duration(0))

// schemaOf is a JSON Schema of t as encoding/json writes it.
func schemaOf(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == durationType:
		return map[string]any{"type": "integer", "description": "nanoseconds"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := schemaOf(t.Elem())
		s["nullable"] = true
		return s
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		addFields(t, props)
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}

// addFields adds t's JSON fields to props, flattening embedded structs as
// encoding/json does.
func addFields(t reflect.Type, props map[string]any) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			addFields(ft, props)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(ft)
	}
}

// serveOpenAPI serves the document, built once.
func serveOpenAPI() gin.HandlerFunc {
	body, err := json.MarshalIndent(openAPIDocument(), "", "  ")
	if err != nil {
		panic(err) // the document is built from types; a failure is a bug
	}
	return func(c *gin.Context) { c.Data(http.StatusOK, "application/json", body) }
}
