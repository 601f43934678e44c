package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/nomadtest"
	"github.com/google/go-cmp/cmp"
)

func TestRun(t *testing.T) {
	s := newTestScheduler(t, Options{})
	image := nomadtest.Busybox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out strings.Builder
	code, err := s.Run(ctx, paas.OneOff{
		App: "runner", Release: 4, Image: image,
		Command: []string{"sh", "-c", "echo to stdout $GREETING v$PAAS_RELEASE; echo to stderr >&2; exit 3"},
		Env:     map[string]string{"GREETING": "hello"},
	}, &out)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if code != 3 {
		t.Errorf("exit code = %d, want 3", code)
	}
	for _, want := range []string{"to stdout hello v4\n", "to stderr\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	assertNoRunJobs(t, s, "runner")
}

func TestRunCommandNotFound(t *testing.T) {
	s := newTestScheduler(t, Options{})
	image := nomadtest.Busybox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out strings.Builder
	code, err := s.Run(ctx, paas.OneOff{App: "runner", Release: 1, Image: image, Command: []string{"/no/such/command"}}, &out)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	// As in a shell: exit code 127 and a message that names the command.
	if code != 127 {
		t.Errorf("exit code = %d, want 127", code)
	}
	if want := `cannot run "/no/such/command": no such file or directory`; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	assertNoRunJobs(t, s, "runner")
}

func TestRunCancelled(t *testing.T) {
	s := newTestScheduler(t, Options{})
	image := nomadtest.Busybox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var out strings.Builder
	start := time.Now()
	_, err := s.Run(ctx, paas.OneOff{App: "runner", Release: 1, Image: image,
		Command: []string{"sh", "-c", "echo started; sleep 60"}}, &out)
	assertDeployError(t, err, paas.EUNAVAILABLE, "the command was stopped before it finished")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap the context's error", err)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("cancelled run took %s", took)
	}
	if !strings.Contains(out.String(), "started") {
		t.Errorf("output so far not streamed: %q", out.String())
	}
	assertNoRunJobs(t, s, "runner")
}

// TestRunShortCommandsKeepOutput runs commands that end at once, which
// Nomad's docker log collection can lose (hashicorp/nomad#6931): every run
// must return all of its output.
func TestRunShortCommandsKeepOutput(t *testing.T) {
	s := newTestScheduler(t, Options{})
	image := nomadtest.Busybox(t)
	for i := range 4 {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		var out strings.Builder
		code, err := s.Run(ctx, paas.OneOff{App: "runner", Release: 1, Image: image,
			Entrypoint: []string{"sh", "-c"}, Command: []string{fmt.Sprintf("echo run %d; echo err %d >&2", i, i)}}, &out)
		cancel()
		if err != nil || code != 0 {
			t.Fatalf("run %d: code %d, %v", i, code, err)
		}
		if want := fmt.Sprintf("run %d\nerr %d\n", i, i); out.String() != want {
			t.Errorf("run %d: output %q, want %q", i, out.String(), want)
		}
	}
	assertNoRunJobs(t, s, "runner")
}

func TestRunNeedsRunner(t *testing.T) {
	s, err := New(Options{}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Run(context.Background(), paas.OneOff{App: "runner", Release: 1, Image: "paas/x:build-1", Command: []string{"ls"}}, nil)
	assertDeployError(t, err, paas.EUNAVAILABLE, "paas-runner")
}

func TestRenderOneOffKeepsEntrypoint(t *testing.T) {
	opts := Options{Runner: "/opt/paas-runner"}.withDefaults()
	job := renderOneOff(paas.OneOff{App: "hello", Release: 2, Image: "paas/hello:build-2",
		Entrypoint: []string{"/docker-entrypoint.sh"}, Command: []string{"rake", "db:migrate"}}, "paas-hello-run-00000000", opts)
	task := job.TaskGroups[0].Tasks[0]
	want := []string{runnerPath, "-output", "/" + runOutput, "--", "/docker-entrypoint.sh"}
	if got := task.Config["entrypoint"]; !cmp.Equal(got, want) {
		t.Errorf("entrypoint = %v, want %v", got, want)
	}
	if task.Config["command"] != "rake" || !cmp.Equal(task.Config["args"], []string{"db:migrate"}) {
		t.Errorf("command = %v %v", task.Config["command"], task.Config["args"])
	}
}

func TestRunJobIDs(t *testing.T) {
	for id, want := range map[string]bool{
		"paas-web-run-0a1b2c3d":  true,
		"paas-web-run-v1":        false, // release job of app web-run
		"paas-web-run-0a1b2c3":   false,
		"paas-web-run-0a1b2c3dz": false,
		"paas-web-v1":            false,
	} {
		if got := isRunJob("web", id); got != want {
			t.Errorf("isRunJob(web, %q) = %v, want %v", id, got, want)
		}
	}
}

// assertNoRunJobs checks that no one-off job of app is left in Nomad.
func assertNoRunJobs(t *testing.T, s *Scheduler, app string) {
	t.Helper()
	jobs, _, err := s.client.Jobs().PrefixList(runPrefix(app))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		t.Errorf("one-off job %s (%s) left behind", j.ID, j.Status)
	}
}
