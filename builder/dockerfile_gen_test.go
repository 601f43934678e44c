package builder

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitpaas/paas"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/stacks")

// sampleApps maps each stack to its sample app.
var sampleApps = map[string]string{
	StackGo:     "../testdata/apps/go",
	StackNode:   "../testdata/apps/node",
	StackPython: "../testdata/apps/python",
	StackStatic: "../testdata/apps/static",
}

// TestGenerateDockerfileGolden compares the Dockerfile of each sample app
// with testdata/stacks/<stack>.Dockerfile; go test -run Golden -update
// rewrites them.
func TestGenerateDockerfileGolden(t *testing.T) {
	for _, stack := range Stacks() {
		t.Run(stack, func(t *testing.T) {
			tr := memTreeFromDir(t, sampleApps[stack])
			detected, err := detectStack(tr)
			if err != nil || detected != stack {
				t.Fatalf("detectStack = %q, %v; want %q", detected, err, stack)
			}
			g, err := generateDockerfile(tr, stack, nil)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "stacks", stack+".Dockerfile")
			if *update {
				if err := os.WriteFile(golden, g.content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(g.content)); diff != "" {
				t.Errorf("Dockerfile of the %s sample (-want +got):\n%s", stack, diff)
			}
			checkDockerfileShape(t, g.content)
		})
	}
}

// checkDockerfileShape checks what every generated Dockerfile must do: build
// on the stack image as the user app in /app, copy the source once, after
// the dependency steps, and set a default command last.
func checkDockerfileShape(t *testing.T, dockerfile []byte) {
	t.Helper()
	ins := parseInstructions(dockerfile)
	var cmds []string
	for _, in := range ins {
		cmds = append(cmds, in.Cmd)
	}
	if len(ins) < 5 || ins[0].Cmd != "FROM" || !strings.HasPrefix(ins[0].Args, "paas/stack-") {
		t.Fatalf("instructions %v; want FROM paas/stack-… first", cmds)
	}
	if ins[len(ins)-1].Cmd != "CMD" {
		t.Errorf("instructions %v; want CMD last", cmds)
	}
	user, copies := -1, 0
	for i, in := range ins {
		switch {
		case in.Cmd == "USER" && in.Args == "app":
			user = i
		case in.Cmd == "COPY" && in.Args == "--chown=app:app . .":
			copies++
		case in.Cmd == "ARG":
			t.Errorf("line %d: ARG %s; config must never become a build argument", in.Line, in.Args)
		}
		if in.Cmd == "RUN" && user < 0 {
			t.Errorf("line %d runs before USER app", in.Line)
		}
	}
	if copies != 1 {
		t.Errorf("the source is copied %d times; want once", copies)
	}
}

func TestGenerateDockerfile(t *testing.T) {
	tests := []struct {
		name         string
		tree         memTree
		stack        string
		buildCommand []string
		want         []string // lines of the Dockerfile, in this order
		notWant      []string // substrings
		notes        []string // substrings of the notes
	}{
		{
			name:  "go with vendored modules",
			tree:  memTree{"go.mod": "module x\n\ngo 1.19\n\nrequire (\n\tgithub.com/a/b v1.0.0 // indirect\n)\n", "go.sum": "…", "vendor/modules.txt": "# github.com/a/b v1.0.0\ngithub.com/a/b\n", "main.go": "package main"},
			stack: StackGo,
			want: []string{
				"COPY --chown=app:app go.mod go.sum ./",
				"ENV GOFLAGS=-mod=vendor",
				"COPY --chown=app:app vendor/ ./vendor/",
				`RUN grep -v '^#' vendor/modules.txt | xargs -r go list -e -export -f '{{.ImportPath}}' >/dev/null`,
				"COPY --chown=app:app . .",
				"RUN go build -o /app/bin/web .",
				`CMD ["/app/bin/web"]`,
			},
			notWant: []string{"go mod download"},
			notes:   []string{"vendor/"},
		},
		{
			name:  "go with its main package under cmd",
			tree:  memTree{"go.mod": "module x\ngo 1.19\n", "cmd/server/main.go": "package main", "cmd/server/main_test.go": "", "internal/x/x.go": "package x", "main_test.go": ""},
			stack: StackGo,
			want:  []string{"RUN go mod download", "RUN go build -o /app/bin/ ./...", `CMD ["/app/bin/server"]`},
		},
		{
			name:  "go with cmd/web among others",
			tree:  memTree{"go.mod": "module x\n", "cmd/web/main.go": "", "cmd/worker/main.go": ""},
			stack: StackGo,
			want:  []string{`CMD ["/app/bin/web"]`},
		},
		{
			name:  "go with no main package to run",
			tree:  memTree{"go.mod": "module x\n", "cmd/a/main.go": "", "cmd/b/main.go": ""},
			stack: StackGo,
			want:  []string{"RUN go build -o /app/bin/ ./...", `CMD ["/bin/sh", "-c", "echo 'the go stack found no main package`},
			notes: []string{"set the web process in app.yml or a Procfile"},
		},
		{
			name:         "build command runs after the source, before the compile step",
			tree:         memTree{"go.mod": "module x\n", "main.go": ""},
			stack:        StackGo,
			buildCommand: []string{"/bin/sh", "-c", "go generate ./... && echo \"done\" $HOME\nrm -rf /"},
			want: []string{
				"COPY --chown=app:app . .",
				`RUN ["/bin/sh", "-c", "go generate ./... && echo \"done\" $HOME\nrm -rf /"]`,
				"RUN go build -o /app/bin/web .",
			},
		},
		{
			name:  "node with committed node_modules",
			tree:  memTree{"package.json": `{"dependencies": {"express": "^4"}, "scripts": {"start": "node app.js"}}`, "package-lock.json": "{}", "node_modules/express/index.js": "", "app.js": ""},
			stack: StackNode,
			want:  []string{"COPY --chown=app:app package.json package-lock.json ./", "COPY --chown=app:app . .", `CMD ["npm", "start"]`},
			// node_modules comes with the source, not twice.
			notWant: []string{"node_modules/ ", "npm install", "npm ci"},
			notes:   []string{"node_modules/ committed"},
		},
		{
			name:  "node without a start script",
			tree:  memTree{"package.json": `{"name": "x", "scripts": {"test": "true"}}`, "index.js": "", "server.js": ""},
			stack: StackNode,
			want:  []string{"COPY --chown=app:app package.json ./", `CMD ["node", "server.js"]`},
		},
		{
			name:  "node with index.js only",
			tree:  memTree{"package.json": `{"scripts": {"start": ""}}`, "index.js": ""},
			stack: StackNode,
			want:  []string{`CMD ["node", "index.js"]`},
		},
		{
			name:  "node with nothing to run",
			tree:  memTree{"package.json": `{}`},
			stack: StackNode,
			want:  []string{`CMD ["/bin/sh", "-c", "echo 'the node stack found no start script in package.json, server.js or index.js to run by default`},
		},
		{
			name:  "python with vendored wheels",
			tree:  memTree{"requirements.txt": "flask==3.0.0\n", "vendor/flask-3.0.0-py3-none-any.whl": "", "app.py": ""},
			stack: StackPython,
			want: []string{
				"COPY --chown=app:app requirements.txt ./",
				"COPY --chown=app:app vendor/ ./vendor/",
				"RUN pip install --no-index --find-links vendor/ -r requirements.txt",
				"COPY --chown=app:app . .",
				`CMD ["python", "app.py"]`,
			},
		},
		{
			name:    "python with pyproject.toml only",
			tree:    memTree{"pyproject.toml": "[project]\n", "main.py": ""},
			stack:   StackPython,
			want:    []string{"COPY --chown=app:app . .", `CMD ["/bin/sh", "-c", "echo 'the python stack found no app.py`},
			notWant: []string{"requirements.txt", "pip install"},
			notes:   []string{"no requirements.txt"},
		},
		{
			name:  "static site in public",
			tree:  memTree{"public/index.html": "", "README.md": ""},
			stack: StackStatic,
			want:  []string{"COPY --chown=app:app . .", `CMD trap 'kill $pid; wait $pid; exit 0' TERM INT; httpd -f -v -p "$PORT" -h /app/public & pid=$!; wait $pid`},
		},
		{
			name:  "static stack named for a commit without index.html",
			tree:  memTree{"site/a.html": ""},
			stack: StackStatic,
			want:  []string{`CMD trap 'kill $pid; wait $pid; exit 0' TERM INT; httpd -f -v -p "$PORT" -h /app & pid=$!`},
			notes: []string{"serving the root of the repository"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := generateDockerfile(tt.tree, tt.stack, tt.buildCommand)
			if err != nil {
				t.Fatal(err)
			}
			got := string(g.content)
			t.Logf("generated:\n%s", got)
			checkLinesInOrder(t, got, tt.want)
			for _, nw := range tt.notWant {
				if strings.Contains(got, nw) {
					t.Errorf("Dockerfile contains %q", nw)
				}
			}
			notes := strings.Join(g.notes, "\n")
			for _, n := range tt.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes %q do not contain %q", notes, n)
				}
			}
			checkDockerfileShape(t, g.content)
		})
	}
}

// checkLinesInOrder checks that each of want begins a line of dockerfile,
// in the order given.
func checkLinesInOrder(t *testing.T, dockerfile string, want []string) {
	t.Helper()
	lines := strings.Split(dockerfile, "\n")
	i := 0
	for _, w := range want {
		for i < len(lines) && !strings.HasPrefix(lines[i], w) {
			i++
		}
		if i == len(lines) {
			t.Errorf("no line starting with %q (in this order)", w)
			return
		}
	}
}

func TestGenerateDockerfileErrors(t *testing.T) {
	tests := []struct {
		name  string
		tree  memTree
		stack string
		code  string // "" means EINVALID
		want  []string
	}{
		{
			name:  "go modules not vendored",
			tree:  memTree{"go.mod": "module x\n\ngo 1.19\n\nrequire github.com/a/b v1.0.0\n", "main.go": ""},
			stack: StackGo,
			want:  []string{"go.mod of commit abc1234 requires other modules", "no vendor/ directory", `run "go mod vendor"`},
		},
		{
			name:  "go version newer than the stack's",
			tree:  memTree{"go.mod": "module x\n\ngo 1.24.1\n", "main.go": ""},
			stack: StackGo,
			want:  []string{"go.mod of commit abc1234 says go 1.24.1, which is newer than the go stack's Go 1.23", `write "go 1.23"`, "or add a Dockerfile"},
		},
		{
			name:  "go.mod missing for the go stack",
			tree:  memTree{"index.html": ""},
			stack: StackGo,
			code:  paas.ENOTFOUND,
			want:  []string{"commit abc1234 has no file go.mod"},
		},
		{
			name:  "node dependencies without node_modules",
			tree:  memTree{"package.json": `{"dependencies": {"express": "^4"}}`},
			stack: StackNode,
			want:  []string{"package.json of commit abc1234 has dependencies", "no node_modules/", "cannot reach the npm registry", "commit node_modules/"},
		},
		{
			name:  "package.json not JSON",
			tree:  memTree{"package.json": `{"scripts": `},
			stack: StackNode,
			want:  []string{"package.json of commit abc1234 is not valid JSON"},
		},
		{
			name:  "python requirements without wheels",
			tree:  memTree{"requirements.txt": "# web\nflask==3.0.0  # the framework\n", "app.py": ""},
			stack: StackPython,
			want:  []string{"requirements.txt of commit abc1234 lists packages", "no vendor/ directory of wheels", "pip download -r requirements.txt -d vendor/"},
		},
		{
			name:  "unknown stack",
			tree:  memTree{"index.html": ""},
			stack: "ruby",
			want:  []string{`unknown stack "ruby"`, "go, node, python, static"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := generateDockerfile(tt.tree, tt.stack, nil)
			if tt.code == "" {
				tt.code = paas.EINVALID
			}
			checkUserError(t, err, tt.code, tt.want...)
		})
	}
}

func TestGeneratedName(t *testing.T) {
	tests := []struct {
		name string
		tree memTree
		want string
	}{
		{"usual", memTree{"go.mod": "", ".paas/Dockerfile": ""}, ".paas.Dockerfile"},
		{"commit has the file", memTree{".paas.Dockerfile": "mine"}, ".paas.Dockerfile~"},
		{"commit has a directory of the name and more", memTree{".paas.Dockerfile/x": "", ".paas.Dockerfile~": ""}, ".paas.Dockerfile~~"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := generatedName(tt.tree); got != tt.want {
				t.Errorf("generatedName = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestExecForm(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"npm", "start"}, `["npm", "start"]`},
		{[]string{"/bin/sh", "-c", `echo "a" '$b' <c> & \`}, `["/bin/sh", "-c", "echo \"a\" '$b' <c> & \\"]`},
		{[]string{"a\nFROM evil"}, `["a\nFROM evil"]`},
	}
	for _, tt := range tests {
		if got := execForm(tt.argv); got != tt.want {
			t.Errorf("execForm(%q) = %s; want %s", tt.argv, got, tt.want)
		}
	}
}

func TestParseGoMod(t *testing.T) {
	tests := []struct {
		name string
		body string
		want goModule
	}{
		{"no requirements", "module x\n\ngo 1.19\n", goModule{goVersion: "1.19"}},
		{"require lines and blocks", "module x // the app\ngo 1.18\nrequire a v1\nrequire (\n\tb v1\n\t// c v1\n\n\td v2 // indirect\n)\nreplace (\n\te => ../e\n)\n", goModule{goVersion: "1.18", requires: 3}},
		{"toolchain", "module x\ngo 1.21.0\ntoolchain go1.22.1\n", goModule{goVersion: "1.21.0", toolchain: true}},
		{"empty", "", goModule{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseGoMod([]byte(tt.body)), cmp.AllowUnexported(goModule{})); diff != "" {
				t.Errorf("parseGoMod (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCountRequirements(t *testing.T) {
	tests := map[string]int{
		"":                                    0,
		"# nothing\n\n   \n":                  0,
		"flask==3.0\n# c\nrequests  # http\n": 2,
		"-r base.txt\n":                       1,
	}
	for body, want := range tests {
		if got := countRequirements([]byte(body)); got != want {
			t.Errorf("countRequirements(%q) = %d; want %d", body, got, want)
		}
	}
}

// FuzzGenerateDockerfile checks that no manifest or build command can add
// an instruction to a generated Dockerfile or make the generator panic.
func FuzzGenerateDockerfile(f *testing.F) {
	f.Add("module x\ngo 1.19\n", `{"scripts": {"start": "node s.js"}}`, "flask\n", "npm run build")
	f.Add("go 1.2.3\nrequire (\n", `{"dependencies": {"a": 1}}`, "# none\n", "a\nRUN evil")
	f.Add("", "[]", "", "\\\n")
	f.Fuzz(func(t *testing.T, goMod, packageJSON, requirements, command string) {
		trees := map[string]memTree{
			StackGo:     {"go.mod": goMod, "main.go": "", "vendor/modules.txt": ""},
			StackNode:   {"package.json": packageJSON, "node_modules/a/index.js": ""},
			StackPython: {"requirements.txt": requirements, "vendor/a.whl": "", "app.py": ""},
			StackStatic: {"index.html": ""},
		}
		for stack, tr := range trees {
			g, err := generateDockerfile(tr, stack, []string{"/bin/sh", "-c", command})
			if err != nil {
				if paas.ErrorCode(err) != paas.EINVALID {
					t.Fatalf("%s: %v; want an EINVALID error", stack, err)
				}
				continue
			}
			want, err := generateDockerfile(trees[stack], stack, []string{"true"})
			if err != nil {
				t.Fatalf("%s: the same tree fails without a build command: %v", stack, err)
			}
			if got, n := len(parseInstructions(g.content)), len(parseInstructions(want.content)); got != n {
				t.Errorf("%s: the build command %q makes %d instructions; want %d:\n%s", stack, command, got, n, g.content)
			}
		}
	})
}
