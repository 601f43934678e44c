package appspec

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gitpaas/paas"
	"gopkg.in/yaml.v3"
)

// Parse reads an app.yml. It rejects anything it does not understand, with
// a paas.EINVALID error whose lines read "filename:line:col: problem; what
// to do", sorted by position. An empty file is the same as Default. The spec
// returned is canonical and valid.
func Parse(filename string, data []byte) (*Spec, error) {
	filename = cmp.Or(filename, "app.yml")
	if err := checkText(filename, data); err != nil {
		return nil, err
	}
	root, ps := load(data)
	if err := ps.err(filename); err != nil {
		return nil, err
	}
	var d decoder
	s := d.spec(root)
	if err := d.problems.err(filename); err != nil {
		return nil, err
	}
	return finish(filename, s)
}

// finish canonicalizes a decoded spec and validates it again. The decoders
// check every rule where it has a position, so the validation is a safety
// net: should it ever catch something, the message still names the file.
func finish(filename string, s *Spec) (*Spec, error) {
	s.Canonicalize()
	if err := s.Validate(); err != nil {
		msg := strings.ReplaceAll(paas.ErrorMessage(err), "\n", "\n"+filename+": ")
		return nil, paas.Errorf(paas.EINVALID, "%s: %s", filename, msg)
	}
	return s, nil
}

// checkText rejects files that are too large, not UTF-8 or hold control
// characters, before any parser sees them.
func checkText(filename string, data []byte) error {
	if len(data) > MaxFileBytes {
		return paas.Errorf(paas.EINVALID, "%s is %d bytes; the limit is %d", filename, len(data), MaxFileBytes)
	}
	var ps problems
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			ps.add(line, col, fmt.Sprintf("invalid UTF-8 (byte 0x%02x); save the file as UTF-8", data[i]))
			return ps.err(filename)
		case isControl(r):
			ps.add(line, col, fmt.Sprintf("control character U+%04X is not allowed; remove it", r))
			return ps.err(filename)
		case r == '\n':
			line, col = line+1, 0
		}
		i += size
		col++
	}
	return nil
}

// isControl reports whether YAML forbids r in a file: C0 and C1 controls
// other than tab, line feed, carriage return and next line, DEL, and the
// non-characters U+FFFE and U+FFFF.
func isControl(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return false
	case r < 0x20 || r >= 0x7f && r <= 0x9f:
		return true
	}
	return r == 0xfffe || r == 0xffff
}

// load parses data as a single YAML document without anchors or aliases
// and returns its root node, nil for an empty file.
func load(data []byte) (root *yaml.Node, ps problems) {
	defer func() {
		// yaml.v3 has panicked on malformed input before; never pass one on.
		if r := recover(); r != nil {
			root, ps = nil, nil
			ps.add(1, 1, "invalid YAML that the parser cannot read; check the file's syntax")
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, problems{syntaxProblem(err, data)}
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, problems{syntaxProblem(err, data)}
	default:
		ps.at(&extra, "a second YAML document starts here; app.yml holds one document, so remove this \"---\" and what follows, or merge them")
		return nil, ps
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	refs(doc.Content[0], &ps)
	return doc.Content[0], ps
}

// refs reports every anchor and alias under n. app.yml has no need of them,
// and rejecting them outright rules out alias bombs.
func refs(n *yaml.Node, ps *problems) {
	const hint = "app.yml does not support anchors and aliases; write the value out in full"
	if n.Anchor != "" {
		ps.at(n, "anchor &%s; %s", clip(n.Anchor), hint)
	}
	if n.Kind == yaml.AliasNode {
		ps.at(n, "alias *%s; %s", clip(n.Value), hint)
		return
	}
	for _, c := range n.Content {
		refs(c, ps)
	}
}

// yamlError matches the errors of yaml.v3's parser, which give a line but
// no column.
var yamlError = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// zeroBasedErrors are the messages of yaml.v3's parser (as opposed to its
// scanner), whose line numbers it reports counting from 0, and omits on
// the first line.
var zeroBasedErrors = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// syntaxProblem turns a YAML syntax error into a problem on the line that
// yaml.v3 names, or the first line when it names none.
func syntaxProblem(err error, data []byte) problem {
	line, msg := 0, err.Error()
	if m := yamlError.FindStringSubmatch(msg); m != nil {
		msg = m[2]
		line, _ = strconv.Atoi(m[1])
	}
	where := ""
	if zeroBasedErrors[msg] {
		// The parser names the line where the enclosing block starts.
		line++
		where = " at or below this line"
	}
	line = max(line, 1)
	hint := "check the indentation, and quote values that contain \": \" or start with a special character"
	if strings.HasPrefix(strings.TrimLeft(sourceLine(data, line), " "), "\t") {
		hint = "indent with spaces, not tabs"
	}
	return problem{line: line, col: 1, msg: "invalid YAML" + where + ": " + msg + "; " + hint}
}

// sourceLine returns the 1-based line n of data, or "".
func sourceLine(data []byte, n int) string {
	lines := bytes.SplitN(data, []byte("\n"), n+1)
	if n < 1 || n > len(lines) {
		return ""
	}
	return string(lines[n-1])
}
