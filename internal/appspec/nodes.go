package appspec

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The resolved tags of the scalars app.yml accepts.
const (
	strTag   = "!!str"
	intTag   = "!!int"
	floatTag = "!!float"
	nullTag  = "!!null"
)

// describe says what a node is, for the "got …" part of a message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
	default:
		return "an unexpected node"
	}
	switch n.ShortTag() {
	case strTag:
		return fmt.Sprintf("string %q", clip(n.Value))
	case intTag, floatTag:
		return "number " + clip(n.Value)
	case "!!bool":
		return "boolean " + clip(n.Value)
	case nullTag:
		return "null"
	case "!!timestamp":
		return "date " + clip(n.Value)
	}
	return fmt.Sprintf("value %q tagged %q", clip(n.Value), clip(n.ShortTag()))
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == nullTag
}

func isScalar(n *yaml.Node, tag string) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == tag
}

// quoteHint tells how to write a value that has the wrong type as a string.
func quoteHint(n *yaml.Node) string {
	switch {
	case isNull(n):
		return `give a value, or write "" for an empty one`
	case n.Kind == yaml.ScalarNode:
		return fmt.Sprintf("quote it: %q", clip(n.Value))
	}
	return "write a single string"
}

// str reads a string. An empty hint means the hint to quote the value.
func (d *decoder) str(n *yaml.Node, path, hint string) (string, bool) {
	if isScalar(n, strTag) {
		return n.Value, true
	}
	if hint == "" {
		hint = quoteHint(n)
	}
	d.problems.at(n, "%s must be a string, got %s; %s", path, describe(n), hint)
	return "", false
}

// intIn reads a whole number from lo to hi; unit, such as " (MB)", follows
// the range in messages.
func (d *decoder) intIn(n *yaml.Node, path string, lo, hi int, unit string) (int, bool) {
	hint := fmt.Sprintf("write a whole number from %d to %d%s", lo, hi, unit)
	switch {
	case isScalar(n, floatTag):
		d.problems.at(n, "%s must be a whole number, got %s; %s", path, describe(n), hint)
		return 0, false
	case !isScalar(n, intTag):
		d.problems.at(n, "%s must be a number, got %s; %s", path, describe(n), hint)
		return 0, false
	}
	var v int
	if err := n.Decode(&v); err != nil {
		d.problems.at(n, "%s is %s, which is out of range; %s", path, clip(n.Value), hint)
		return 0, false
	}
	if p := rangeProblem(v, lo, hi, unit); p != "" {
		d.problems.at(n, "%s %s", path, p)
		return 0, false
	}
	return v, true
}

// durationIn reads a Go duration, such as 1m30s, from lo to hi.
func (d *decoder) durationIn(n *yaml.Node, path string, lo, hi time.Duration) (time.Duration, bool) {
	const want = "a duration such as 2s or 1m30s"
	if !isScalar(n, strTag) {
		hint := "write " + want
		if isScalar(n, intTag) || isScalar(n, floatTag) {
			hint = fmt.Sprintf("add a unit, e.g. %ss", clip(n.Value))
		}
		d.problems.at(n, "%s must be %s, got %s; %s", path, want, describe(n), hint)
		return 0, false
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		d.problems.at(n, "%s must be %s, got %s; use the units ms, s, m or h", path, want, describe(n))
		return 0, false
	}
	if p := durationProblem(v, lo, hi); p != "" {
		d.problems.at(n, "%s %s", path, p)
		return 0, false
	}
	return v, true
}

// oneOf reads a string from a closed set.
func (d *decoder) oneOf(n *yaml.Node, path string, allowed []string) (string, bool) {
	s, ok := d.str(n, path, "use one of "+strings.Join(allowed, ", "))
	if !ok {
		return "", false
	}
	if p := oneOfProblem(s, allowed); p != "" {
		d.problems.at(n, "%s %s", path, p)
		return "", false
	}
	return s, true
}

// command reads a command: a string, run by /bin/sh -c, or a list of
// strings, run as it is.
func (d *decoder) command(n *yaml.Node, path string) Command {
	var c Command
	switch {
	case isScalar(n, strTag):
		c = Command{"/bin/sh", "-c", n.Value}
	case n.Kind == yaml.SequenceNode:
		if c = d.argv(n, path); c == nil {
			return nil
		}
	default:
		hint := quoteHint(n)
		if isNull(n) {
			hint = "write the command to run, or remove the key"
		} else if n.Kind != yaml.ScalarNode {
			hint = "write the command as one string, or as a list of its arguments"
		}
		d.problems.at(n, "%s must be a string or a list of strings, got %s; %s", path, describe(n), hint)
		return nil
	}
	if p := commandProblem(c, false); p != "" {
		d.problems.at(n, "%s %s", path, p)
		return nil
	}
	return c
}

// argv reads the exec form of a command; nil means a problem was reported.
func (d *decoder) argv(n *yaml.Node, path string) Command {
	c := make(Command, 0, len(n.Content))
	ok := true
	for i, item := range n.Content {
		s, good := d.str(item, fmt.Sprintf("%s[%d]", path, i), "")
		ok = ok && good
		c = append(c, s)
	}
	if !ok {
		return nil
	}
	return c
}
