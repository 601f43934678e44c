package builder

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestStackImagesScript checks that deploy/images.sh makes the images the
// builder builds on: one per stack, from deploy/stacks/<name>/Dockerfile,
// under the tag StackImage names, with the user app.
func TestStackImagesScript(t *testing.T) {
	script, err := os.ReadFile("../deploy/images.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^readonly STACKS=\(([^)]*)\)$`).FindSubmatch(script)
	if m == nil || !slices.Equal(strings.Fields(string(m[1])), Stacks()) {
		t.Errorf("images.sh makes the stacks %q; want %v", m, Stacks())
	}
	if !strings.Contains(string(script), "readonly STACK_TAG="+stackImageTag+"\n") {
		t.Errorf("images.sh does not tag the stack images %s, which StackImage names", stackImageTag)
	}
	for _, stack := range Stacks() {
		dockerfile, err := os.ReadFile(filepath.Join("..", "deploy", "stacks", stack, "Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"\nUSER app\n", "\nWORKDIR /app\n", "10000"} {
			if !strings.Contains(string(dockerfile), want) {
				t.Errorf("deploy/stacks/%s/Dockerfile does not contain %q", stack, want)
			}
		}
	}
}

func TestStackImage(t *testing.T) {
	if got := StackImage(StackGo); got != "paas/stack-go:1" {
		t.Errorf("StackImage(go) = %q", got)
	}
	if err := validateTag(StackImage(StackStatic)); err != nil {
		t.Errorf("the stack image name is not a valid tag: %v", err)
	}
}
