package appspec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gitpaas/paas"
	"gopkg.in/yaml.v3"
)

// maxReported bounds how many problems one error lists, so that a file of
// garbage gets a short answer.
const maxReported = 10

// problem is one thing wrong with a file, at a 1-based line and column.
type problem struct {
	line, col int
	msg       string
}

// problems collects what is wrong with a file.
type problems []problem

// at records a problem at the position of n.
func (ps *problems) at(n *yaml.Node, format string, args ...any) {
	ps.add(n.Line, n.Column, fmt.Sprintf(format, args...))
}

func (ps *problems) add(line, col int, msg string) {
	*ps = append(*ps, problem{line: max(line, 1), col: max(col, 1), msg: msg})
}

// err returns nil when there are no problems and otherwise one paas.EINVALID
// error listing them by position, one "file:line:col: message" per line.
func (ps problems) err(file string) error {
	if len(ps) == 0 {
		return nil
	}
	sorted := slices.Clone(ps)
	slices.SortStableFunc(sorted, func(a, b problem) int {
		if a.line != b.line {
			return a.line - b.line
		}
		return a.col - b.col
	})
	sorted = slices.Compact(sorted)
	lines := make([]string, 0, min(len(sorted), maxReported)+1)
	for _, p := range sorted[:min(len(sorted), maxReported)] {
		lines = append(lines, fmt.Sprintf("%s:%d:%d: %s", file, p.line, p.col, p.msg))
	}
	if more := len(sorted) - maxReported; more > 0 {
		lines = append(lines, fmt.Sprintf("%s: %d more problems not shown; fix the ones above first", file, more))
	}
	return paas.Errorf(paas.EINVALID, "%s", strings.Join(lines, "\n"))
}
