package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient"
)

func TestAppsCreate(t *testing.T) {
	tests := []struct {
		name       string
		repo       bool     // run inside a git repository
		remotes    []string // "name url" pairs added before
		args       []string
		wantCode   int
		wantOut    []string
		wantErr    string
		wantRemote string // "name" whose URL must be the app's git URL
	}{
		{name: "outside a repository", args: []string{"hello"}, wantOut: []string{"Creating hello... done\n"}},
		{
			name: "remote added", repo: true, args: []string{"hello"},
			wantOut: []string{"Creating hello... done\n", "Git remote paas added\n"}, wantRemote: "paas",
		},
		{
			name: "custom remote name", repo: true, args: []string{"hello", "--remote", "staging"},
			wantOut: []string{"Git remote staging added\n"}, wantRemote: "staging",
		},
		{
			name: "existing remote left alone", repo: true, remotes: []string{"paas http://other:5050/git/other.git"},
			args: []string{"hello"}, wantOut: []string{"Git remote paas already points at http://other:5050/git/other.git"},
		},
		{name: "name taken", args: []string{"taken"}, wantCode: ExitError, wantOut: []string{"Creating taken... failed\n"}, wantErr: `app "taken" already exists`},
		{name: "invalid name", args: []string{"Bad"}, wantCode: ExitError, wantErr: "must start with a lower-case letter"},
		{name: "missing name", wantCode: ExitUsage, wantErr: "missing app name; usage: paas apps:create NAME"},
		{name: "two names", args: []string{"a", "b"}, wantCode: ExitUsage, wantErr: `unexpected argument "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.login()
			h.api.AddApp("taken")
			if tt.repo {
				h.gitInit()
			}
			for _, r := range tt.remotes {
				h.git(append([]string{"remote", "add"}, strings.Fields(r)...)...)
			}
			r := h.run("", append([]string{"apps:create"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			wantContains(t, "stdout", r.stdout, tt.wantOut...)
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				return
			}
			gitURL := h.api.URL + "/git/hello.git"
			wantContains(t, "stdout", r.stdout, "http://hello.localhost:8080/ | "+gitURL+"\n")
			if tt.wantRemote != "" {
				if got := h.git("remote", "get-url", tt.wantRemote); got != gitURL {
					t.Errorf("remote %s = %q, want %q", tt.wantRemote, got, gitURL)
				}
			}
		})
	}
}

func TestAppInference(t *testing.T) {
	tests := []struct {
		name     string
		repo     bool
		remotes  []string
		args     []string
		wantApp  string
		wantErr  string
		wantCode int
	}{
		{name: "app flag", args: []string{"-a", "hello"}, wantApp: "hello"},
		{name: "long app flag wins over remote", repo: true, remotes: []string{"paas http://h/git/other.git"}, args: []string{"--app", "hello"}, wantApp: "hello"},
		{name: "paas remote", repo: true, remotes: []string{"paas URL/git/hello.git"}, wantApp: "hello"},
		{name: "remote with user and trailing slash", repo: true, remotes: []string{"paas http://me@h:1/git/hello.git/"}, wantApp: "hello"},
		{name: "other remote", repo: true, remotes: []string{"prod URL/git/hello.git"}, args: []string{"--remote", "prod"}, wantApp: "hello"},
		{
			name: "no repository", wantCode: ExitError,
			wantErr: `no app specified; use --app NAME or run inside a repository with a "paas" git remote (paas git:remote -a NAME)`,
		},
		{
			name: "repository without the remote", repo: true, remotes: []string{"origin https://github.com/me/hello.git"}, wantCode: ExitError,
			wantErr: `no app specified; use --app NAME or run inside a repository with a "paas" git remote (paas git:remote -a NAME)`,
		},
		{
			name: "remote that is not an app", repo: true, remotes: []string{"paas https://user:hunter2@github.com/me/hello.git"}, wantCode: ExitError,
			wantErr: `git remote "paas" points at https://github.com/me/hello.git, which is not a paas app URL`,
		},
		{name: "unknown app", args: []string{"-a", "nope"}, wantCode: ExitError, wantErr: `app "nope" not found; list your apps with: paas apps`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.login()
			h.api.AddApp("hello")
			if tt.repo {
				h.gitInit()
			}
			for _, r := range tt.remotes {
				h.git(append([]string{"remote", "add"}, strings.Fields(strings.ReplaceAll(r, "URL", h.api.URL))...)...)
			}
			r := h.run("", append([]string{"apps:info"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if strings.Contains(r.output(), "hunter2") {
				t.Errorf("output shows the password of the remote URL:\n%s", r.output())
			}
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				return
			}
			wantContains(t, "stdout", r.stdout, "=== "+tt.wantApp+"\n", "Owner:    admin\n", "Release:  -\n")
		})
	}
}

func TestAppFromGitURL(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{name: "api git url", url: "http://127.0.0.1:5050/git/hello.git", want: "hello"},
		{name: "https with prefix", url: "https://paas.example.com/api/git/my-app.git", want: "my-app"},
		{name: "trailing slash", url: "http://h/git/hello.git/", want: "hello"},
		{name: "no .git", url: "http://h/git/hello"},
		{name: "not under git/", url: "http://h/repos/hello.git"},
		{name: "empty name", url: "http://h/git/.git"},
		{name: "ssh", url: "git@github.com:me/hello.git"},
		{name: "scp-like with git dir", url: "ssh://h/git/hello.git"},
		{name: "garbage", url: "%%%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := appFromGitURL(tt.url)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("appFromGitURL(%q) = %q, %v; want %q", tt.url, got, ok, tt.want)
			}
		})
	}
}

func TestAppsDestroy(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		stdin       string
		wantCode    int
		wantDeleted bool
		wantErr     string
	}{
		{name: "confirm flag", args: []string{"--confirm", "hello"}, wantDeleted: true},
		{name: "confirm flag mismatch", args: []string{"--confirm", "hallo"}, wantCode: ExitError, wantErr: `confirmation "hallo" did not match "hello"; nothing was destroyed`},
		{name: "typed name", stdin: "hello\n", wantDeleted: true},
		{name: "typed name mismatch", stdin: "yes\n", wantCode: ExitError, wantErr: `confirmation "yes" did not match "hello"`},
		{name: "empty answer", stdin: "\n", wantCode: ExitError, wantErr: `confirmation "" did not match "hello"`},
		{name: "no stdin", wantCode: ExitError, wantErr: "no confirmation given; nothing was destroyed; to destroy hello without the question, pass --confirm hello"},
		{name: "unknown app", args: []string{"-a", "nope", "--confirm", "nope"}, wantCode: ExitError, wantErr: `app "nope" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.login()
			h.api.AddApp("hello")
			h.gitInit()
			h.git("remote", "add", "paas", h.api.URL+"/git/hello.git")
			r := h.run(tt.stdin, append([]string{"apps:destroy"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if got := !h.api.HasApp("hello"); got != tt.wantDeleted {
				t.Errorf("deleted = %v, want %v", got, tt.wantDeleted)
			}
			if tt.stdin != "" || tt.name == "no stdin" {
				wantContains(t, "stderr", r.stderr, "To proceed, type the app name: ")
			}
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				return
			}
			wantContains(t, "stdout", r.stdout, "Destroying hello... done\n", "Git remote paas removed\n")
			if remotes := h.git("remote"); remotes != "" {
				t.Errorf("remotes left: %q", remotes)
			}
		})
	}
}

func TestGitRemote(t *testing.T) {
	tests := []struct {
		name     string
		repo     bool
		remotes  []string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{name: "added", repo: true, args: []string{"-a", "hello"}, wantOut: "Git remote paas added: URL/git/hello.git\n"},
		{name: "updated", repo: true, remotes: []string{"paas http://old/git/old.git"}, args: []string{"-a", "hello"}, wantOut: "Git remote paas updated: URL/git/hello.git\n"},
		{name: "other name", repo: true, args: []string{"-a", "hello", "--remote", "prod"}, wantOut: "Git remote prod added: URL/git/hello.git\n"},
		{name: "outside a repository", args: []string{"-a", "hello"}, wantCode: ExitError, wantErr: "not inside a git repository"},
		{name: "unknown app", repo: true, args: []string{"-a", "nope"}, wantCode: ExitError, wantErr: `app "nope" not found`},
		{name: "missing app", repo: true, wantCode: ExitUsage, wantErr: "missing --app NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.login()
			h.api.AddApp("hello")
			if tt.repo {
				h.gitInit()
			}
			for _, r := range tt.remotes {
				h.git(append([]string{"remote", "add"}, strings.Fields(r)...)...)
			}
			r := h.run("", append([]string{"git:remote"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				return
			}
			if want := strings.ReplaceAll(tt.wantOut, "URL", h.api.URL); r.stdout != want {
				t.Errorf("stdout = %q, want %q", r.stdout, want)
			}
			remote := "paas"
			if len(tt.args) > 2 {
				remote = tt.args[3]
			}
			if got := h.git("remote", "get-url", remote); got != h.api.URL+"/git/hello.git" {
				t.Errorf("remote %s = %q", remote, got)
			}
		})
	}
}

func TestAppsList(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.login()
	if r := h.mustRun("apps"); r.stdout != "You have no apps. Create one with: paas apps:create NAME\n" {
		t.Errorf("apps with none = %q", r.stdout)
	}
	if r := h.mustRun("apps", "--json"); r.stdout != "[]\n" {
		t.Errorf("apps --json with none = %q, want []", r.stdout)
	}
	h.api.AddApp("web")
	h.api.AddApp("api-x")
	r := h.mustRun("apps")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME   RELEASE  OWNER  CREATED") ||
		!strings.HasPrefix(lines[1], "api-x  -        admin  ") || !strings.HasPrefix(lines[2], "web    -        admin  ") {
		t.Errorf("apps =\n%s", r.stdout)
	}

	var apps []apiclient.App
	r = h.mustRun("apps", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &apps); err != nil || len(apps) != 2 || apps[0].Name != "api-x" ||
		apps[0].GitURL != h.api.URL+"/git/api-x.git" || apps[0].CreatedAt.IsZero() {
		t.Errorf("apps --json = %s (%v)", r.stdout, err)
	}
	r = h.mustRun("apps:info", "-a", "web", "--json")
	var app apiclient.App
	if err := json.Unmarshal([]byte(r.stdout), &app); err != nil || app.Name != "web" || app.WebURL != "http://web.localhost:8080/" {
		t.Errorf("apps:info --json = %s (%v)", r.stdout, err)
	}
}

func TestAppsInfoLastDrift(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.login()
	h.api.AddApp("hello")
	if r := h.mustRun("apps:info", "-a", "hello"); strings.Contains(r.stdout, "Last drift") {
		t.Errorf("apps:info without drift shows one:\n%s", r.stdout)
	}
	at := testNow.Add(-10 * time.Minute)
	h.api.SetLastDrift("hello", paas.Event{Kind: paas.EventDrift, Message: "web.2 was gone; started it again", CreatedBy: "reconciler", CreatedAt: at})
	r := h.mustRun("apps:info", "-a", "hello")
	wantContains(t, "apps:info", r.stdout, "Last drift:  web.2 was gone; started it again ("+stamp(at)+")\n", "Owner:       admin\n")

	var app apiclient.App
	r = h.mustRun("apps:info", "-a", "hello", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &app); err != nil || app.LastDrift == nil || !app.LastDrift.CreatedAt.Equal(at) {
		t.Errorf("apps:info --json = %s (%v)", r.stdout, err)
	}
}
