package appspec

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse("app.yml", []byte(tc.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range parseErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("app.yml", []byte(tc.in))
			if err == nil {
				t.Fatalf("Parse succeeded with %+v; want error %q", s, tc.want)
			}
			checkInvalid(t, err, "app.yml")
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// checkInvalid fails unless err is a paas.EINVALID error each of whose lines
// names the file.
func checkInvalid(t *testing.T, err error, filename string) {
	t.Helper()
	var e *paas.Error
	if !errors.As(err, &e) || e.Code != paas.EINVALID {
		t.Fatalf("error %v (%T) is not a paas.EINVALID error", err, err)
	}
	for _, line := range strings.Split(e.Message, "\n") {
		if !strings.HasPrefix(line, filename+":") && !strings.HasPrefix(line, filename+" ") {
			t.Errorf("error line %q does not start with %q", line, filename)
		}
	}
}

func TestParseFullExample(t *testing.T) {
	want := &Spec{
		Build: Build{
			Stack:   "python",
			Command: sh("pip install -r requirements.txt && python manage.py collectstatic --noinput"),
		},
		Processes: map[string]Process{
			"web": {
				Command: sh("gunicorn app.wsgi --bind 0.0.0.0:$PORT"),
				CPU:     200, Memory: 256,
				Scale: Scale{Count: 2, Min: 1, Max: 5},
			},
			"worker": {
				Command: Command{"python", "worker.py", "--queue", "default"},
				CPU:     100, Memory: 512,
				Scale: Scale{Count: 1, Min: 1, Max: 1},
			},
		},
		Release: sh("python manage.py migrate --noinput"),
		Health:  Health{Path: "/healthz", Interval: 5 * time.Second, Timeout: 2 * time.Second},
		Env:     map[string]string{"LOG_LEVEL": "info", "DJANGO_SETTINGS_MODULE": "app.settings"},
		Addons:  []string{"postgres", "redis"},
		Deploy: Deploy{
			Strategy: "canary",
			Canary:   &Canary{Weight: 10, Steps: []int{10, 50, 100}, Interval: 30 * time.Second},
		},
	}
	got, err := Parse("app.yml", readFile(t, "testdata/full.yml"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
}

func TestParseSamples(t *testing.T) {
	tests := []struct {
		file      string
		processes []string
	}{
		{"testdata/full.yml", []string{"web", "worker"}},
		{"testdata/minimal.yml", []string{"web"}},
		{"testdata/dockerfile.yml", []string{"web"}},
		{"testdata/worker-only.yml", []string{"worker"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			s, err := Parse("app.yml", readFile(t, tc.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.processes, s.ProcessTypes()); diff != "" {
				t.Errorf("ProcessTypes mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFilename(t *testing.T) {
	tests := []struct {
		name, filename, want string
	}{
		{"given", "svc/app.yml", `svc/app.yml:1:1: unknown key "x"; use one of build, processes, release, health, env, addons, deploy`},
		{"empty means app.yml", "", `app.yml:1:1: unknown key "x"; use one of build, processes, release, health, env, addons, deploy`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.filename, []byte("x: 1\n"))
			if err == nil || err.Error() != tc.want {
				t.Errorf("Parse error = %v; want %q", err, tc.want)
			}
		})
	}
}

func TestParseSizeLimit(t *testing.T) {
	pad := func(n int) []byte {
		return []byte("#" + strings.Repeat("x", n-2) + "\n")
	}
	if _, err := Parse("app.yml", pad(MaxFileBytes)); err != nil {
		t.Errorf("Parse of exactly MaxFileBytes: %v", err)
	}
	_, err := Parse("app.yml", pad(MaxFileBytes+1))
	if want := "app.yml is 65537 bytes; the limit is 65536"; err == nil || err.Error() != want {
		t.Errorf("Parse of MaxFileBytes+1: error = %v; want %q", err, want)
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
