package builder

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
	"strings"
)

// baseImage is an image that a Dockerfile builds on or copies from, and the
// line that names it.
type baseImage struct {
	Ref  string
	Line int
}

// instruction is one logical line of a Dockerfile: its keyword in upper
// case, its arguments, and the line it starts on.
type instruction struct {
	Cmd  string
	Args string
	Line int
}

// baseImages returns the images that a Dockerfile's FROM and COPY --from
// instructions name, other than scratch and earlier stages, in order and
// without duplicates. It resolves ${VAR} from the ARGs declared before the
// first FROM with their defaults; a reference that still holds a variable is
// left out, since only the daemon can resolve it.
//
// The classic builder pulls a missing base image, which cannot work here;
// knowing the references beforehand turns that into a clear error.
func baseImages(dockerfile []byte) []baseImage {
	var (
		out    []baseImage
		seen   = map[string]bool{}
		stages = map[string]bool{}
		args   = map[string]string{}
		inFrom = false
	)
	add := func(ref string, line int) {
		ref = expandArgs(ref, args)
		lower := strings.ToLower(ref)
		if ref == "" || lower == "scratch" || stages[lower] || strings.Contains(ref, "$") || seen[ref] {
			return
		}
		seen[ref] = true
		out = append(out, baseImage{Ref: ref, Line: line})
	}
	for _, in := range parseInstructions(dockerfile) {
		switch in.Cmd {
		case "ARG":
			if !inFrom {
				parseArgs(in.Args, args)
			}
		case "FROM":
			inFrom = true
			ref, stage := parseFrom(in.Args)
			add(ref, in.Line)
			if stage != "" {
				stages[strings.ToLower(stage)] = true
			}
		case "COPY":
			if from := copyFrom(in.Args); from != "" {
				if _, err := strconv.Atoi(from); err != nil {
					add(from, in.Line)
				}
			}
		}
	}
	return out
}

// parseInstructions splits a Dockerfile into instructions, joining lines
// continued with the escape character and dropping comments. It honours the
// escape parser directive.
func parseInstructions(dockerfile []byte) []instruction {
	var (
		out       []instruction
		cur       strings.Builder
		start     int
		escape    = byte('\\')
		directive = true
	)
	sc := bufio.NewScanner(bytes.NewReader(dockerfile))
	sc.Buffer(make([]byte, 0, 64*1024), maxDockerfileBytes)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimLeft(line, " \t")
		if directive {
			if e, ok := escapeDirective(trimmed); ok {
				escape = e
				continue
			}
			directive = directivePattern.MatchString(trimmed)
		}
		// Empty lines inside a continuation are skipped, as the daemon does.
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if trimmed != "" && trimmed[len(trimmed)-1] == escape {
			cur.WriteString(trimmed[:len(trimmed)-1])
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(trimmed)
		out = appendInstruction(out, cur.String(), start)
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = appendInstruction(out, cur.String(), start)
	}
	return out
}

func appendInstruction(out []instruction, text string, line int) []instruction {
	cmd, args, _ := strings.Cut(strings.TrimSpace(text), " ")
	if cmd == "" {
		return out
	}
	return append(out, instruction{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args), Line: line})
}

// Parser directives, such as "# escape=`", may only open a Dockerfile.
var (
	directivePattern       = regexp.MustCompile(`^#\s*[a-zA-Z]+\s*=\s*\S+$`)
	escapeDirectivePattern = regexp.MustCompile(`(?i)^#\s*escape\s*=\s*([\\` + "`" + `])\s*$`)
)

func escapeDirective(line string) (byte, bool) {
	m := escapeDirectivePattern.FindStringSubmatch(line)
	if m == nil {
		return 0, false
	}
	return m[1][0], true
}

// parseFrom returns the image and the stage name of FROM's arguments:
// [--platform=…] image [AS name].
func parseFrom(args string) (ref, stage string) {
	fields := withoutFlags(strings.Fields(args))
	if len(fields) == 0 {
		return "", ""
	}
	if len(fields) >= 3 && strings.EqualFold(fields[1], "AS") {
		stage = fields[2]
	}
	return fields[0], stage
}

// copyFrom returns the value of COPY's --from flag, or "".
func copyFrom(args string) string {
	for _, f := range strings.Fields(args) {
		if !strings.HasPrefix(f, "--") {
			return ""
		}
		if v, ok := strings.CutPrefix(f, "--from="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}

func withoutFlags(fields []string) []string {
	for len(fields) > 0 && strings.HasPrefix(fields[0], "--") {
		fields = fields[1:]
	}
	return fields
}

// parseArgs records the defaults of ARG's arguments: NAME[=value] …
func parseArgs(s string, args map[string]string) {
	for _, f := range strings.Fields(s) {
		name, value, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		args[name] = unquote(value)
	}
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

var argRefPattern = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))`)

// expandArgs replaces $NAME, ${NAME}, ${NAME:-default} and ${NAME:+alt}
// with values from args. A variable without a value stays as it is.
func expandArgs(s string, args map[string]string) string {
	return argRefPattern.ReplaceAllStringFunc(s, func(m string) string {
		sub := argRefPattern.FindStringSubmatch(m)
		name := sub[1] + sub[4]
		value, set := args[name]
		switch sub[2] {
		case "-":
			if !set || value == "" {
				return sub[3]
			}
		case "+":
			if set && value != "" {
				return sub[3]
			}
			return ""
		}
		if !set {
			return m
		}
		return value
	})
}
