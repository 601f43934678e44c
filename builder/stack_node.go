package builder

import (
	"encoding/json"

	"github.com/gitpaas/paas"
)

// packageJSON is what the node stack reads of package.json.
type packageJSON struct {
	Dependencies map[string]any `json:"dependencies"`
	Scripts      map[string]any `json:"scripts"`
}

func readPackageJSON(t tree) (*packageJSON, error) {
	body, err := readManifest(t, "package.json")
	if err != nil {
		return nil, err
	}
	var pkg packageJSON
	if err := json.Unmarshal(body, &pkg); err != nil {
		return nil, paas.Errorf(paas.EINVALID, "package.json of commit %s is not valid JSON (%v); fix it and push again", t.short(), err)
	}
	return &pkg, nil
}

// hasStartScript reports whether package.json has a start script.
func (p *packageJSON) hasStartScript() bool {
	s, ok := p.Scripts["start"].(string)
	return ok && s != ""
}

// nodeDeps copies package.json and its lock file. Builds cannot reach the
// npm registry, so nothing is installed: an app with dependencies commits
// node_modules/, which comes with the source.
func nodeDeps(t tree, w *dockerfileWriter) error {
	pkg, err := readPackageJSON(t)
	if err != nil {
		return err
	}
	hasModules := t.kind("node_modules") == kindDir
	if len(pkg.Dependencies) > 0 && !hasModules {
		return paas.Errorf(paas.EINVALID, "package.json of commit %s has dependencies, but the commit has no node_modules/ directory, and builds cannot reach the npm registry; run \"npm install --omit=dev\", commit node_modules/ and push again", t.short())
	}
	manifests := []string{"package.json"}
	for _, lock := range []string{"package-lock.json", "npm-shrinkwrap.json"} {
		if t.kind(lock) == kindFile {
			manifests = append(manifests, lock)
		}
	}
	w.copy("./", manifests...)
	if hasModules {
		w.note("node: using the node_modules/ committed with the app; npm install does not run")
	}
	return nil
}

// nodeFinish runs npm start when package.json has a start script, else
// server.js or index.js.
func nodeFinish(t tree, w *dockerfileWriter) error {
	pkg, err := readPackageJSON(t)
	if err != nil {
		return err
	}
	if pkg.hasStartScript() {
		w.exec("CMD", []string{"npm", "start"})
		return nil
	}
	for _, main := range []string{"server.js", "index.js"} {
		if t.kind(main) == kindFile {
			w.exec("CMD", []string{"node", main})
			return nil
		}
	}
	w.noDefaultCommand(StackNode, "start script in package.json, server.js or index.js")
	return nil
}
