package cli

import (
	"bytes"
	"slices"
	"strings"
)

// netrcEdit replaces the bytes src[start:end] with text.
type netrcEdit struct {
	start, end int
	text       string
}

// set returns the file with one entry for machine holding login and
// password. The first existing entry for machine is rewritten in place and
// any others are dropped; with none, the entry is added before the default
// entry (curl stops at the default) or at the end.
func (n *netrc) set(machine, login, password string) []byte {
	text := formatNetrcEntry(machine, login, password)
	edits := n.removals(machine)
	def := n.defaultIndex()
	if len(edits) > 0 && (def < 0 || n.firstMatch(machine) < def) {
		e := n.entries[n.firstMatch(machine)]
		edits[0] = netrcEdit{start: e.start, end: e.end, text: n.padded(e.start, e.end, text)}
		return n.apply(edits)
	}
	return n.apply(append(edits, n.insertion(def, text)))
}

// remove returns the file without any entry for machine.
func (n *netrc) remove(machine string) []byte {
	return n.apply(n.removals(machine))
}

// removals deletes every entry for machine, with its line when the entry
// has the line to itself.
func (n *netrc) removals(machine string) []netrcEdit {
	var edits []netrcEdit
	for i, e := range n.entries {
		if n.matches(i, machine) {
			start, end := n.lineSpan(e.start, e.end)
			edits = append(edits, netrcEdit{start: start, end: end, text: n.padded(start, end, "")})
		}
	}
	return edits
}

// insertion adds text as a new entry before entry def, or at the end of
// the file when def is negative.
func (n *netrc) insertion(def int, text string) netrcEdit {
	if def >= 0 {
		at := n.entries[def].start
		prefix := ""
		if at > 0 && n.src[at-1] != '\n' {
			prefix = "\n"
		}
		return netrcEdit{start: at, end: at, text: prefix + text + "\n"}
	}
	sep := ""
	switch {
	case n.dangling:
		sep = "\n" + quoteNetrc(n.danglingValue) + "\n"
	case len(n.src) == 0:
	case n.openMacro && n.src[len(n.src)-1] == '\n':
		sep = "\n"
	case n.openMacro:
		sep = "\n\n"
	case n.src[len(n.src)-1] != '\n':
		sep = "\n"
	}
	return netrcEdit{start: len(n.src), end: len(n.src), text: sep + text + "\n"}
}

// lineSpan widens [start, end) to whole lines, newline included, when
// nothing else shares them.
func (n *netrc) lineSpan(start, end int) (int, int) {
	s := start
	for s > 0 && (n.src[s-1] == ' ' || n.src[s-1] == '\t') {
		s--
	}
	if s > 0 && n.src[s-1] != '\n' {
		return start, end
	}
	e := end
	for e < len(n.src) && (n.src[e] == ' ' || n.src[e] == '\t' || n.src[e] == '\r') {
		e++
	}
	if e < len(n.src) && n.src[e] != '\n' {
		return start, end
	}
	return s, min(e+1, len(n.src))
}

// padded keeps text from gluing onto the tokens around [start, end): it
// adds a newline on a side where both text and the file would otherwise
// touch without white space between them.
func (n *netrc) padded(start, end int, text string) string {
	before := start > 0 && !isNetrcSpace(n.src[start-1])
	after := end < len(n.src) && !isNetrcSpace(n.src[end])
	switch {
	case text == "" && before && after:
		return "\n"
	case text == "":
		return ""
	}
	if before {
		text = "\n" + text
	}
	if after {
		text += "\n"
	}
	return text
}

// apply makes the edits, which must not overlap, and returns the new file.
func (n *netrc) apply(edits []netrcEdit) []byte {
	slices.SortStableFunc(edits, func(a, b netrcEdit) int { return a.start - b.start })
	var out bytes.Buffer
	pos := 0
	for _, e := range edits {
		out.Write(n.src[pos:e.start])
		out.WriteString(e.text)
		pos = e.end
	}
	out.Write(n.src[pos:])
	return out.Bytes()
}

func (n *netrc) firstMatch(machine string) int {
	for i := range n.entries {
		if n.matches(i, machine) {
			return i
		}
	}
	return -1
}

func (n *netrc) defaultIndex() int {
	return slices.IndexFunc(n.entries, func(e netrcEntry) bool { return e.Default })
}

// formatNetrcEntry lays an entry out the way heroku and most tools do.
func formatNetrcEntry(machine, login, password string) string {
	return "machine " + quoteNetrc(machine) +
		"\n  login " + quoteNetrc(login) +
		"\n  password " + quoteNetrc(password)
}

// quoteNetrc quotes a value that would not survive as a bare token.
func quoteNetrc(s string) string {
	if s != "" && !strings.HasPrefix(s, "#") && !strings.HasPrefix(s, `"`) &&
		!strings.ContainsFunc(s, func(r rune) bool { return r < 0x80 && isNetrcSpace(byte(r)) }) {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}
