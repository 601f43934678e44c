package builder

import (
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/gitpaas/paas"
)

// goStackVersion is the Go of paas/stack-go: golang-1.23 from
// bookworm-backports. goStackMinor is its minor version.
const (
	goStackVersion = "1.23"
	goStackMinor   = 23
)

// goModule is what the go stack reads of go.mod.
type goModule struct {
	// goVersion is the go directive, "" when there is none.
	goVersion string
	toolchain bool
	requires  int
}

// parseGoMod reads the go, toolchain and require directives of go.mod. It
// does not validate: the go command does that during the build.
func parseGoMod(body []byte) goModule {
	var (
		m     goModule
		block string
	)
	for _, line := range strings.Split(string(body), "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case block != "":
			if f[0] == ")" {
				block = ""
			} else if block == "require" {
				m.requires++
			}
		case len(f) == 2 && f[1] == "(":
			block = f[0]
		case f[0] == "go" && len(f) > 1:
			m.goVersion = f[1]
		case f[0] == "toolchain":
			m.toolchain = true
		case f[0] == "require":
			m.requires++
		}
	}
	return m
}

// goVersionPattern is the form of a go directive: 1.N, 1.N.P or 1.NrcK.
var goVersionPattern = regexp.MustCompile(`^1\.([0-9]+)(\.[0-9]+|rc[0-9]+)?$`)

// check reports why the stack's Go cannot build the module: a go
// directive newer than it. (A toolchain line is ignored: the stack builds
// with GOTOOLCHAIN=local, offline.)
func (m goModule) check(commit string) error {
	if m.goVersion == "" {
		return nil
	}
	if g := goVersionPattern.FindStringSubmatch(m.goVersion); g != nil {
		if minor, err := strconv.Atoi(g[1]); err == nil && minor <= goStackMinor {
			return nil
		}
	}
	return paas.Errorf(paas.EINVALID, "go.mod of commit %s says go %s, which is newer than the go stack's Go %s; if the app builds with Go %s, write \"go %s\" in go.mod, or add a Dockerfile",
		commit, clip(m.goVersion), goStackVersion, goStackVersion, goStackVersion)
}

// goDeps copies go.mod, go.sum and vendor/ and readies the dependencies. The
// build is offline (GOPROXY=off): a module that requires others must vendor
// them. Vendored packages are compiled into the build cache here, so that
// an app build compiles only the app's own packages.
func goDeps(t tree, w *dockerfileWriter) error {
	body, err := readManifest(t, "go.mod")
	if err != nil {
		return err
	}
	mod := parseGoMod(body)
	if err := mod.check(t.short()); err != nil {
		return err
	}
	vendored := t.kind("vendor/modules.txt") == kindFile
	if mod.requires > 0 && !vendored {
		return paas.Errorf(paas.EINVALID, "go.mod of commit %s requires other modules, but the commit has no vendor/ directory, and builds cannot download modules; run \"go mod vendor\", commit vendor/ and push again", t.short())
	}
	manifests := []string{"go.mod"}
	if t.kind("go.sum") == kindFile {
		manifests = append(manifests, "go.sum")
	}
	w.copy("./", manifests...)
	if !vendored {
		w.line("RUN go mod download")
		return nil
	}
	w.note("go: building with the modules in vendor/")
	w.line("ENV GOFLAGS=-mod=vendor")
	w.copy("./vendor/", "vendor/")
	// go list -export compiles each package; -e lets packages that do not
	// build here (other platforms, build tags) pass.
	w.line(`RUN grep -v '^#' vendor/modules.txt | xargs -r go list -e -export -f '{{.ImportPath}}' >/dev/null`)
	return nil
}

// goFinish compiles the main package at the root to /app/bin/web, or else
// every main package to /app/bin/, and runs web, or the only command under
// cmd/, by default.
func goFinish(t tree, w *dockerfileWriter) error {
	if hasGoFiles(t, ".") {
		w.line("RUN go build -o /app/bin/web .")
		w.exec("CMD", []string{"/app/bin/web"})
		return nil
	}
	w.line("RUN go build -o /app/bin/ ./...")
	if name := goCommand(t); name != "" {
		w.exec("CMD", []string{"/app/bin/" + name})
		return nil
	}
	w.noDefaultCommand(StackGo, "main package at the root of the repository, nor a single one under cmd/,")
	return nil
}

// hasGoFiles reports whether dir holds Go files other than tests.
func hasGoFiles(t tree, dir string) bool {
	for _, n := range t.names(dir) {
		if strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") && t.kind(path.Join(dir, n)) == kindFile {
			return true
		}
	}
	return false
}

// goCommand returns the command under cmd/ to run by default: cmd/web, or
// the only directory with Go files there, or "".
func goCommand(t tree) string {
	var cmds []string
	for _, n := range t.names("cmd") {
		if hasGoFiles(t, "cmd/"+n) {
			cmds = append(cmds, n)
		}
	}
	for _, n := range cmds {
		if n == "web" {
			return n
		}
	}
	if len(cmds) == 1 {
		return cmds[0]
	}
	return ""
}
