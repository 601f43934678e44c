package builder

import (
	"strings"

	"github.com/gitpaas/paas"
)

// countRequirements returns how many lines of requirements.txt ask pip for
// something: lines that are not blank or comments.
func countRequirements(body []byte) int {
	n := 0
	for _, line := range strings.Split(string(body), "\n") {
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if strings.TrimSpace(line) != "" {
			n++
		}
	}
	return n
}

// pythonDeps copies requirements.txt and installs it into the stack's
// virtual environment. Builds cannot reach PyPI, so pip installs from the
// wheels in the app's vendor/ directory only.
func pythonDeps(t tree, w *dockerfileWriter) error {
	if t.kind("requirements.txt") != kindFile {
		w.note("python: no requirements.txt, so no packages are installed (pyproject.toml is not read)")
		return nil
	}
	body, err := readManifest(t, "requirements.txt")
	if err != nil {
		return err
	}
	w.copy("./", "requirements.txt")
	if countRequirements(body) == 0 {
		return nil
	}
	if t.kind("vendor") != kindDir {
		return paas.Errorf(paas.EINVALID, "requirements.txt of commit %s lists packages, but the commit has no vendor/ directory of wheels, and builds cannot reach PyPI; run \"pip download -r requirements.txt -d vendor/\" (for Linux x86_64, Python 3.11), commit vendor/ and push again", t.short())
	}
	w.copy("./vendor/", "vendor/")
	w.line("RUN pip install --no-index --find-links vendor/ -r requirements.txt")
	return nil
}

// pythonFinish runs app.py by default.
func pythonFinish(t tree, w *dockerfileWriter) error {
	if t.kind("app.py") == kindFile {
		w.exec("CMD", []string{"python", "app.py"})
		return nil
	}
	w.noDefaultCommand(StackPython, "app.py")
	return nil
}
