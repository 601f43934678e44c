package builder

import (
	"bufio"
	"bytes"
	"path"
	"regexp"
	"strings"
)

// ignorer applies a .dockerignore, as the docker CLI does before it sends a
// build context: files that match are left out, so a secret listed there
// never reaches the daemon or an image. Rules apply in order and the last
// one that matches a path, or any directory above it, wins; "!" re-includes.
type ignorer struct {
	rules    []ignoreRule
	negation bool // some rule re-includes, so directories cannot be pruned
}

type ignoreRule struct {
	re     *regexp.Regexp
	negate bool
}

// parseIgnore reads .dockerignore content. Lines that are empty or start
// with # are skipped; a malformed pattern is skipped too, as it can match
// nothing.
func parseIgnore(data []byte) *ignorer {
	ig := &ignorer{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		negate := strings.HasPrefix(line, "!")
		line = strings.TrimSpace(strings.TrimPrefix(line, "!"))
		pattern := strings.TrimPrefix(path.Clean("/"+line), "/")
		if pattern == "" {
			continue
		}
		re, err := regexp.Compile("^" + patternRegexp(pattern) + "$")
		if err != nil {
			continue
		}
		ig.rules = append(ig.rules, ignoreRule{re: re, negate: negate})
		ig.negation = ig.negation || negate
	}
	return ig
}

// patternRegexp translates a .dockerignore pattern: * and ? stay within one
// path element, ** spans any number, [...] is a class.
func patternRegexp(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '*' && strings.HasPrefix(p[i:], "**/"):
			b.WriteString("(.*/)?")
			i += 2
		case c == '*' && strings.HasPrefix(p[i:], "**"):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(p[i : i+end+1])
			i += end
		case c == '\\' && i+1 < len(p):
			b.WriteString(regexp.QuoteMeta(p[i+1 : i+2]))
			i++
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}

// ignored reports whether the slash-separated path name is left out.
func (ig *ignorer) ignored(name string) bool {
	if ig == nil || len(ig.rules) == 0 {
		return false
	}
	out := false
	for _, r := range ig.rules {
		if matchSelfOrParent(r.re, name) {
			out = !r.negate
		}
	}
	return out
}

func matchSelfOrParent(re *regexp.Regexp, name string) bool {
	for i := 0; i <= len(name); i++ {
		if (i == len(name) || name[i] == '/') && re.MatchString(name[:i]) {
			return true
		}
	}
	return false
}
