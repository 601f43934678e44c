package builder

import (
	"strings"

	"github.com/gitpaas/paas"
)

// The language stacks that Build uses for a commit without a Dockerfile.
// Each builds on a local base image, StackImage, which deploy/images.sh
// makes from deploy/stacks/<name>/Dockerfile.
const (
	StackGo     = "go"
	StackNode   = "node"
	StackPython = "python"
	StackStatic = "static"
)

// StackLabel is the image label that names the stack an image was built
// with; images built from the commit's own Dockerfile do not have it.
const StackLabel = "org.gitpaas.stack"

// stackImageTag is the tag of every stack image. deploy/images.sh rebuilds an
// image under the same tag when its Dockerfile changes; a change that breaks
// apps built on it gets a new tag here and there.
const stackImageTag = "1"

// stack is what the builder knows of one language stack: how to recognise a
// commit that uses it and how to write its Dockerfile.
type stack struct {
	name string
	// markers are files at the root of a commit, any one of which selects
	// the stack when the commit has no Dockerfile.
	markers []string
	// deps writes the steps that install the dependencies. They come before
	// the source is copied in, so that the build cache keeps them for as
	// long as the manifests they read do not change.
	deps func(t tree, w *dockerfileWriter) error
	// finish writes the steps after the source and the build command: the
	// compile step, if any, and the default command.
	finish func(t tree, w *dockerfileWriter) error
}

// stacks lists the stacks in the order in which detection tries them.
var stacks = []*stack{
	{name: StackGo, markers: []string{"go.mod"}, deps: goDeps, finish: goFinish},
	{name: StackNode, markers: []string{"package.json"}, deps: nodeDeps, finish: nodeFinish},
	{name: StackPython, markers: []string{"requirements.txt", "pyproject.toml"}, deps: pythonDeps, finish: pythonFinish},
	{name: StackStatic, markers: []string{"index.html", "public/index.html"}, deps: noDeps, finish: staticFinish},
}

// Stacks returns the names of the stacks, in the order detection tries them.
func Stacks() []string {
	names := make([]string, len(stacks))
	for i, s := range stacks {
		names[i] = s.name
	}
	return names
}

// StackImage returns the base image of the named stack, such as
// "paas/stack-go:1".
func StackImage(name string) string {
	return "paas/stack-" + name + ":" + stackImageTag
}

func findStack(name string) *stack {
	for _, s := range stacks {
		if s.name == name {
			return s
		}
	}
	return nil
}

func validateStack(name string) error {
	if findStack(name) == nil {
		return paas.Errorf(paas.EINVALID, "unknown stack %q; set build.stack in app.yml to one of %s, or remove it to use the Dockerfile", clip(name), strings.Join(Stacks(), ", "))
	}
	return nil
}

// validateBuildCommand checks a command in exec form, such as
// ["/bin/sh", "-c", "npm run build"].
func validateBuildCommand(argv []string) error {
	if len(argv) == 0 {
		return nil
	}
	if argv[0] == "" {
		return paas.Errorf(paas.EINVALID, "the build command has no program; set build.command in app.yml to a command such as \"npm run build\"")
	}
	for _, a := range argv {
		if strings.ContainsRune(a, 0) {
			return paas.Errorf(paas.EINVALID, "the build command holds a NUL byte; fix build.command in app.yml")
		}
	}
	return nil
}

// noDeps is the deps step of a stack without dependencies.
func noDeps(tree, *dockerfileWriter) error { return nil }

// manifestLimit bounds the manifests (go.mod, package.json,
// requirements.txt) that the builder reads to write a Dockerfile.
const manifestLimit = 1 << 20

// readManifest reads a manifest of the commit for a stack's steps.
func readManifest(t tree, name string) ([]byte, error) {
	return t.readFile(name, manifestLimit)
}
