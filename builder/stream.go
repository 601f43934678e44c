package builder

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/docker/docker/pkg/jsonmessage"
)

// maxTailLines is how many of a failed step's last output lines its error
// message quotes; the whole output has already reached the build log.
const maxTailLines = 15

// sgrPattern matches the terminal colour codes that the daemon wraps around
// a step's standard error (and that tools print); the log is plain text.
var sgrPattern = regexp.MustCompile("\x1b\\[[0-9;]*m")

// stepPattern matches the classic builder's step header, "Step 2/4 : RUN make".
var stepPattern = regexp.MustCompile(`^Step (\d+/\d+) : (.*)$`)

// buildStream decodes the JSON message stream of a classic build. It copies
// the build's text to log as it arrives and remembers what an error needs:
// the step that was running and the last lines that step printed.
type buildStream struct {
	log     io.Writer
	step    string
	instr   string
	partial string
	tail    []string
	imageID string
}

// stepError is a build that the daemon reported as failed.
type stepError struct {
	// Step is "2/4", or "" when the build failed before its first step.
	Step        string
	Instruction string
	Detail      string
	// Output holds the last lines the step printed.
	Output []string
	// Fix says what to do about it; empty means fix the Dockerfile.
	Fix string
}

func (e *stepError) Error() string {
	var b strings.Builder
	b.WriteString("docker build failed")
	if e.Step != "" {
		fmt.Fprintf(&b, " at step %s (%s)", e.Step, clip(e.Instruction))
	}
	fmt.Fprintf(&b, ": %s", strings.TrimSpace(e.Detail))
	if len(e.Output) > 0 {
		b.WriteString("; the step's last output was:\n")
		for _, l := range e.Output {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	} else {
		b.WriteString("; ")
	}
	if e.Fix == "" {
		b.WriteString("fix the Dockerfile (or the code it builds) and push again")
	} else {
		b.WriteString(e.Fix)
	}
	return b.String()
}

// fromRef returns the image that the failed step builds on when it is a
// FROM step (as the daemon printed it, variables expanded), or "".
func (e *stepError) fromRef() string {
	cmd, args, _ := strings.Cut(e.Instruction, " ")
	if !strings.EqualFold(cmd, "FROM") {
		return ""
	}
	ref, _ := parseFrom(args)
	if strings.Contains(ref, "$") {
		return ""
	}
	return ref
}

// decode reads messages from r until it ends. It returns a *stepError when
// the daemon reports that the build failed.
func (s *buildStream) decode(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var m jsonmessage.JSONMessage
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read build output: %w", err)
		}
		if err := s.handle(&m); err != nil {
			return err
		}
	}
}

func (s *buildStream) handle(m *jsonmessage.JSONMessage) error {
	switch {
	case m.Error != nil:
		s.endLine()
		return &stepError{Step: s.step, Instruction: s.instr, Detail: m.Error.Message, Output: s.tail}
	case m.Aux != nil:
		var aux struct{ ID string }
		if json.Unmarshal(*m.Aux, &aux) == nil && aux.ID != "" {
			s.imageID = aux.ID
		}
	case m.Stream != "":
		s.write(m.Stream)
	case m.Status != "" && m.Progress == nil:
		// Status lines come from pulls, which the builder never starts;
		// pass them on rather than hide them.
		s.write(m.Status + "\n")
	}
	return nil
}

// write passes text to the log and splits it into lines for the tail.
// A failing log writer (a pusher who hung up) does not stop the build; the
// caller cancels the context for that.
func (s *buildStream) write(text string) {
	text = sgrPattern.ReplaceAllString(text, "")
	_, _ = io.WriteString(s.log, text)
	text = s.partial + text
	for {
		line, rest, ok := strings.Cut(text, "\n")
		if !ok {
			s.partial = text
			return
		}
		s.line(line)
		text = rest
	}
}

func (s *buildStream) endLine() {
	if s.partial != "" {
		s.line(s.partial)
		s.partial = ""
	}
}

func (s *buildStream) line(l string) {
	// A carriage return redraws the line, as progress bars do.
	if i := strings.LastIndexByte(strings.TrimRight(l, "\r"), '\r'); i >= 0 {
		l = l[i+1:]
	}
	l = strings.TrimRight(l, "\r")
	if m := stepPattern.FindStringSubmatch(l); m != nil {
		s.step, s.instr, s.tail = m[1], m[2], nil
		return
	}
	if strings.HasPrefix(l, " ---> ") || strings.HasPrefix(l, "Removing intermediate container ") || strings.TrimSpace(l) == "" {
		return
	}
	s.tail = append(s.tail, clip(l))
	if len(s.tail) > maxTailLines {
		s.tail = s.tail[len(s.tail)-maxTailLines:]
	}
}
