package builder

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The fixtures in testdata are build streams recorded from Debian's Docker
// Engine 20.10 (API 1.41) building the sample apps in testdata/apps.

func TestBuildStreamSuccess(t *testing.T) {
	var log strings.Builder
	s := &buildStream{log: &log}
	if err := s.decode(openFixture(t, "hello-build.jsonl")); err != nil {
		t.Fatal(err)
	}
	if want := "sha256:f382f93bf2daa331481958cee1d157b91076885bedd9616a6e92532072fa0d6a"; s.imageID != want {
		t.Errorf("image ID = %q; want %q", s.imageID, want)
	}
	lines := strings.Split(log.String(), "\n")
	want := []string{
		"Step 1/5 : FROM paas/busybox:1.35",
		" ---> 8d6f8b798516",
		"Step 2/5 : COPY www/ /www/",
		" ---> fc233f5ad7cc",
		"Step 3/5 : ENV PORT=8080",
	}
	if diff := cmp.Diff(want, lines[:len(want)]); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
	if last := lines[len(lines)-2]; last != "Successfully tagged paas-test/rec:1" {
		t.Errorf("last line = %q", last)
	}
}

func TestBuildStreamFailure(t *testing.T) {
	var log strings.Builder
	s := &buildStream{log: &log}
	err := s.decode(openFixture(t, "broken-build.jsonl"))
	var se *stepError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v; want a *stepError", err)
	}
	want := &stepError{
		Step:        "2/3",
		Instruction: `RUN echo "compiling the app" && echo "error: main.c:3: expected ';' before '}' token" >&2 && exit 1`,
		Detail:      `The command '/bin/sh -c echo "compiling the app" && echo "error: main.c:3: expected ';' before '}' token" >&2 && exit 1' returned a non-zero code: 1`,
		Output:      []string{"compiling the app", "error: main.c:3: expected ';' before '}' token"},
	}
	if diff := cmp.Diff(want, se); diff != "" {
		t.Errorf("step error (-want +got):\n%s", diff)
	}
	if strings.Contains(log.String(), "\x1b") {
		t.Errorf("log holds terminal escape codes: %q", log.String())
	}
	if !strings.Contains(log.String(), "error: main.c:3: expected ';' before '}' token\n") {
		t.Errorf("log lacks the step's standard error:\n%s", log.String())
	}
	msg := se.Error()
	for _, w := range []string{"docker build failed at step 2/3 (RUN echo", "returned a non-zero code: 1", "    error: main.c:3", "fix the Dockerfile"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not contain %q", msg, w)
		}
	}
}

func TestBuildStreamLines(t *testing.T) {
	tests := []struct {
		name     string
		messages string
		wantLog  string
		wantTail []string
	}{
		{
			name:     "partial lines are joined",
			messages: `{"stream":"Step 1/1 : RUN x"}{"stream":"\n"}{"stream":"par"}{"stream":"tial\nnext"}`,
			wantLog:  "Step 1/1 : RUN x\npartial\nnext",
			wantTail: []string{"partial", "next"},
		},
		{
			name:     "carriage returns redraw",
			messages: `{"stream":"Step 1/1 : RUN x\n 10%\r 50%\r100%\ndone\n"}`,
			wantLog:  "Step 1/1 : RUN x\n 10%\r 50%\r100%\ndone\n",
			wantTail: []string{"100%", "done"},
		},
		{
			name:     "a new step starts a new tail",
			messages: `{"stream":"Step 1/2 : RUN a\na\n ---> Running in 1\nRemoving intermediate container 1\nStep 2/2 : RUN b\nb\n"}`,
			wantLog:  "Step 1/2 : RUN a\na\n ---> Running in 1\nRemoving intermediate container 1\nStep 2/2 : RUN b\nb\n",
			wantTail: []string{"b"},
		},
		{
			name:     "status without progress",
			messages: `{"status":"Pulling from library/x","id":"1"}{"status":"Downloading","progressDetail":{"current":1,"total":2},"id":"2"}`,
			wantLog:  "Pulling from library/x\n",
			wantTail: []string{"Pulling from library/x"},
		},
		{
			name:     "colours are stripped",
			messages: `{"stream":"\u001b[91moops\n\u001b[0m"}`,
			wantLog:  "oops\n",
			wantTail: []string{"oops"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log strings.Builder
			s := &buildStream{log: &log}
			if err := s.decode(strings.NewReader(tt.messages)); err != nil {
				t.Fatal(err)
			}
			s.endLine()
			if log.String() != tt.wantLog {
				t.Errorf("log = %q; want %q", log.String(), tt.wantLog)
			}
			if diff := cmp.Diff(tt.wantTail, s.tail); diff != "" {
				t.Errorf("tail (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildStreamBadJSON(t *testing.T) {
	s := &buildStream{log: &strings.Builder{}}
	if err := s.decode(strings.NewReader(`{"stream":"ok"}{not json`)); err == nil {
		t.Error("decode of a broken stream = nil; want an error")
	}
}

func TestStepErrorFromRef(t *testing.T) {
	tests := map[string]string{
		"FROM paas/none:1":                "paas/none:1",
		"from --platform=x base:1 AS one": "base:1",
		"FROM $BASE":                      "",
		"RUN false":                       "",
	}
	for instr, want := range tests {
		if got := (&stepError{Instruction: instr}).fromRef(); got != want {
			t.Errorf("fromRef of %q = %q; want %q", instr, got, want)
		}
	}
}

func openFixture(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// FuzzBuildStream checks that no stream makes the decoder panic, and that a
// failure always becomes a *stepError.
func FuzzBuildStream(f *testing.F) {
	for _, name := range []string{"hello-build.jsonl", "broken-build.jsonl"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"stream":"Step 1/1 : FROM x\r\r\n\u001b[0m"}{"errorDetail":{"message":""}}`))
	f.Fuzz(func(t *testing.T, stream []byte) {
		s := &buildStream{log: io.Discard}
		err := s.decode(bytes.NewReader(stream))
		var se *stepError
		if errors.As(err, &se) {
			_ = se.Error()
			_ = se.fromRef()
		}
		if len(s.tail) > maxTailLines {
			t.Errorf("tail holds %d lines; want at most %d", len(s.tail), maxTailLines)
		}
	})
}
