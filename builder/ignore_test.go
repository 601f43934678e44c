package builder

import "testing"

func TestDockerignore(t *testing.T) {
	ig := parseIgnore([]byte(`# secrets stay out
secret.txt
*.log
node_modules
docs/**/*.pdf
!keep.log
/build/
tmp?
`))
	for name, want := range map[string]bool{
		"secret.txt":          true,
		"app/secret.txt":      false,
		"error.log":           true,
		"keep.log":            false,
		"logs/error.log":      false,
		"node_modules":        true,
		"node_modules/x/y.js": true,
		"docs/a/b/manual.pdf": true,
		"docs/manual.pdf":     true,
		"build/out.bin":       true,
		"tmp1":                true,
		"tmp12":               false,
		"main.go":             false,
		"Dockerfile":          false,
	} {
		if got := ig.ignored(name); got != want {
			t.Errorf("ignored(%q) = %v; want %v", name, got, want)
		}
	}
	if parseIgnore(nil).ignored("x") {
		t.Error("an empty .dockerignore ignores files")
	}
}

func FuzzDockerignore(f *testing.F) {
	f.Add("*.log\n!keep.log\n**/x\n[a-", "a/b.log")
	f.Fuzz(func(t *testing.T, rules, name string) {
		parseIgnore([]byte(rules)).ignored(name)
	})
}
