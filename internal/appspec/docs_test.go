package appspec

import (
	"regexp"
	"strings"
	"testing"
)

const docFile = "../../docs/app-yml.md"

// codeBlock matches a fenced block of the user doc and its language.
var codeBlock = regexp.MustCompile("(?ms)^```(\\w+)\\n(.*?)^```$")

// TestDocExamples keeps docs/app-yml.md true: every YAML example parses,
// the full example is testdata/full.yml, and every error shown is one the
// tests produce.
func TestDocExamples(t *testing.T) {
	doc := string(readFile(t, docFile))
	blocks := codeBlock.FindAllStringSubmatch(doc, -1)
	if len(blocks) == 0 {
		t.Fatalf("%s has no code blocks", docFile)
	}
	for _, b := range blocks {
		if b[1] != "yaml" {
			continue
		}
		if _, err := Parse("app.yml", []byte(b[2])); err != nil {
			t.Errorf("example does not parse: %v\n%s", err, b[2])
		}
	}
	if full := string(readFile(t, "testdata/full.yml")); !strings.Contains(doc, "```yaml\n"+full+"```") {
		t.Errorf("%s does not show testdata/full.yml as its full example", docFile)
	}
	known := knownMessages()
	for _, b := range blocks {
		if b[1] != "text" {
			continue
		}
		for _, line := range strings.Split(b[2], "\n") {
			msg, ok := errorMessage(line)
			if ok && !known[msg] {
				t.Errorf("%s shows an error no test produces: %q", docFile, line)
			}
		}
	}
}

// position matches the start of an error line, after any "remote: ".
var position = regexp.MustCompile(`^(?:remote: )?(?:app\.yml|Procfile)(?::\d+:\d+:)? `)

// errorMessage returns line without its file and position, if it is an
// error line.
func errorMessage(line string) (string, bool) {
	loc := position.FindStringIndex(line)
	if loc == nil {
		return "", false
	}
	return line[loc[1]:], true
}

// knownMessages returns the messages of every error line the test tables
// expect, without file and position.
func knownMessages() map[string]bool {
	known := map[string]bool{}
	var cases []errorCase
	cases = append(append(cases, parseErrorCases...), procfileErrorCases...)
	for _, c := range cases {
		for _, line := range strings.Split(c.want, "\n") {
			if msg, ok := errorMessage(line); ok {
				known[msg] = true
			}
		}
	}
	return known
}
