package appspec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var procfileCases = []parseCase{
	{"empty", "", defaults(nil)},
	{"comments and blank lines", "# nothing\n\n   \n", defaults(nil)},
	{"web", "web: ./bin/server --port $PORT\n", defaults(func(s *Spec) {
		s.Processes["web"] = proc(sh("./bin/server --port $PORT"))
	})},
	{"no final newline", "web: ./server", defaults(func(s *Spec) { s.Processes["web"] = proc(sh("./server")) })},
	{"crlf", "web: ./server\r\nworker: ./work\r\n", defaults(func(s *Spec) {
		s.Processes = map[string]Process{"web": proc(sh("./server")), "worker": proc(sh("./work"))}
	})},
	{"spaces around", "  web  :   ./server   \n", defaults(func(s *Spec) { s.Processes["web"] = proc(sh("./server")) })},
	{"no space after colon", "web:./server\n", defaults(func(s *Spec) { s.Processes["web"] = proc(sh("./server")) })},
	{"colons in command", "web: gunicorn -b 0.0.0.0:$PORT app:app\n", defaults(func(s *Spec) {
		s.Processes["web"] = proc(sh("gunicorn -b 0.0.0.0:$PORT app:app"))
	})},
	{"hash inside command", "web: ./server # not a comment here\n", defaults(func(s *Spec) {
		s.Processes["web"] = proc(sh("./server # not a comment here"))
	})},
	{"worker only", "worker: ./work\n", defaults(func(s *Spec) {
		s.Processes = map[string]Process{"worker": proc(sh("./work"))}
	})},
	{"release is the release command", "release: ./migrate\nweb: ./server\n", defaults(func(s *Spec) {
		s.Release = sh("./migrate")
		s.Processes["web"] = proc(sh("./server"))
	})},
	{"release alone", "release: ./migrate\n", defaults(func(s *Spec) { s.Release = sh("./migrate") })},
}

var procfileErrorCases = []errorCase{
	{"too large", strings.Repeat("#\n", MaxFileBytes/2+1),
		`Procfile is 65538 bytes; the limit is 65536`},
	{"invalid utf-8", "web: caf\xe9\n",
		`Procfile:1:9: invalid UTF-8 (byte 0xe9); save the file as UTF-8`},
	{"nul byte", "web: ./a\x00\n",
		`Procfile:1:9: control character U+0000 is not allowed; remove it`},
	{"no colon", "web ./server\n",
		`Procfile:1:1: line is not "type: command"; write e.g. web: ./bin/server, or start it with # to make it a comment`},
	{"no colon indented", "# header\n\n  ./server\n",
		`Procfile:3:3: line is not "type: command"; write e.g. web: ./bin/server, or start it with # to make it a comment`},
	{"empty command", "web:\n",
		`Procfile:1:5: web has no command; write it after the colon, e.g. web: ./bin/server`},
	{"blank command", "worker:    \n",
		`Procfile:1:8: worker has no command; write it after the colon, e.g. worker: ./bin/server`},
	{"empty type", ": ./server\n",
		`Procfile:1:1: line has an invalid process type ""; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
	{"upper-case type", "Web: ./server\n",
		`Procfile:1:1: line has an invalid process type "Web"; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
	{"underscore type", "web: ./a\nmy_worker: ./b\n",
		`Procfile:2:1: line has an invalid process type "my_worker"; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
	{"type with space", "web server: ./a\n",
		`Procfile:1:1: line has an invalid process type "web server"; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
	{"duplicate type", "web: ./a\n\nweb: ./b\n",
		`Procfile:3:1: process type "web" is declared again, first on line 1; keep one of them`},
	{"duplicate release", "release: ./a\nrelease: ./b\n",
		`Procfile:2:1: process type "release" is declared again, first on line 1; keep one of them`},
	{"column counts characters", "é\n  ü: \n",
		"Procfile:1:1: line is not \"type: command\"; write e.g. web: ./bin/server, or start it with # to make it a comment\n" +
			`Procfile:2:3: line has an invalid process type "ü"; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
	{"every bad line reported", "web\nworker:\nWeb: x\n",
		"Procfile:1:1: line is not \"type: command\"; write e.g. web: ./bin/server, or start it with # to make it a comment\n" +
			"Procfile:2:8: worker has no command; write it after the colon, e.g. worker: ./bin/server\n" +
			`Procfile:3:1: line has an invalid process type "Web"; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
}

func TestParseProcfile(t *testing.T) {
	for _, tc := range procfileCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseProcfile("Procfile", []byte(tc.in))
			if err != nil {
				t.Fatalf("ParseProcfile: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseProcfile mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseProcfileErrors(t *testing.T) {
	for _, tc := range procfileErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseProcfile("Procfile", []byte(tc.in))
			if err == nil {
				t.Fatalf("ParseProcfile succeeded with %+v; want error %q", s, tc.want)
			}
			checkInvalid(t, err, "Procfile")
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProcfileEquivalence holds the sample Procfile to the app.yml that
// says the same.
func TestProcfileEquivalence(t *testing.T) {
	fromProcfile, err := ParseProcfile("Procfile", readFile(t, "testdata/Procfile"))
	if err != nil {
		t.Fatalf("ParseProcfile: %v", err)
	}
	const yml = `
processes:
  web:
    command: ./bin/server --port $PORT
  worker:
    command: ./bin/worker
release: ./bin/migrate
`
	fromYML, err := Parse("app.yml", []byte(yml))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if diff := cmp.Diff(fromYML, fromProcfile); diff != "" {
		t.Errorf("Procfile and app.yml differ (-app.yml +Procfile):\n%s", diff)
	}
}
