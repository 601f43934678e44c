package appspec

import (
	"bytes"
	"cmp"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ParseProcfile reads a Heroku-style Procfile: one "type: command" line per
// process type, with blank lines and lines starting with # ignored. The
// release type declares the release command, as on Heroku. Commands run
// through /bin/sh -c. Problems are reported as by Parse, and the spec
// returned is canonical and valid, with every other key at its default.
func ParseProcfile(filename string, data []byte) (*Spec, error) {
	filename = cmp.Or(filename, "Procfile")
	if err := checkText(filename, data); err != nil {
		return nil, err
	}
	s := &Spec{Processes: map[string]Process{}}
	var ps problems
	seen := map[string]int{}
	for i, raw := range bytes.Split(data, []byte("\n")) {
		procfileLine(s, strings.TrimSuffix(string(raw), "\r"), i+1, seen, &ps)
	}
	if err := ps.err(filename); err != nil {
		return nil, err
	}
	return finish(filename, s)
}

// procfileLine adds line n of a Procfile to s, or reports why it cannot.
func procfileLine(s *Spec, line string, n int, seen map[string]int, ps *problems) {
	text := strings.TrimSpace(line)
	if text == "" || strings.HasPrefix(text, "#") {
		return
	}
	nameCol := column(line, strings.Index(line, text))
	name, command, ok := strings.Cut(text, ":")
	if !ok {
		ps.add(n, nameCol, `line is not "type: command"; write e.g. web: ./bin/server, or start it with # to make it a comment`)
		return
	}
	name, command = strings.TrimSpace(name), strings.TrimSpace(command)
	if p := processNameProblem(name); p != "" && name != releaseKey {
		ps.add(n, nameCol, "line "+p)
		return
	}
	if first, dup := seen[name]; dup {
		ps.add(n, nameCol, fmt.Sprintf("process type %q is declared again, first on line %d; keep one of them", name, first))
		return
	}
	seen[name] = n
	if command == "" {
		ps.add(n, column(line, strings.IndexByte(line, ':')+1), fmt.Sprintf("%s has no command; write it after the colon, e.g. %s: ./bin/server", name, name))
		return
	}
	c := Command{"/bin/sh", "-c", command}
	if name == releaseKey {
		s.Release = c
		return
	}
	s.Processes[name] = Process{Command: c}
}

// column returns the 1-based column, in characters, of byte offset i of
// line.
func column(line string, i int) int {
	return utf8.RuneCountInString(line[:i]) + 1
}
