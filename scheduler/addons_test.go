package scheduler

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/nomadtest"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/nomad/api"
)

func testAddonJob(name, image, dataDir string, port int) paas.AddonJob {
	return paas.AddonJob{
		Addon: name, Type: "test", Image: image, Port: port, ContainerPort: 8000,
		DataDir: dataDir, MountPath: "/data", Env: map[string]string{"PAAS_ADDON_PASSWORD": "s3cret"},
		KillSignal: "SIGINT", CPU: 50, Memory: 32,
	}
}

func TestRenderAddonJob(t *testing.T) {
	j := testAddonJob("hello-postgres", "paas/addon-postgres:15", "/var/lib/paas/addons/hello-postgres", 16001)
	job := renderAddonJob(j, Options{}.withDefaults())
	if *job.ID != "paas-addon-hello-postgres" || *job.Type != "service" || len(job.TaskGroups) != 1 {
		t.Fatalf("job %s of type %s with %d groups", *job.ID, *job.Type, len(job.TaskGroups))
	}
	tg := job.TaskGroups[0]
	wantPorts := []api.Port{{Label: "addon", Value: 16001, To: 8000, HostNetwork: AddonHostNetwork}}
	if diff := cmp.Diff(wantPorts, tg.Networks[0].ReservedPorts); diff != "" {
		t.Errorf("ports mismatch (-want +got):\n%s", diff)
	}
	if len(tg.Networks[0].DynamicPorts) != 0 {
		t.Errorf("dynamic ports %v; an add-on's port must not move", tg.Networks[0].DynamicPorts)
	}
	svc := tg.Services[0]
	if svc.Provider != "nomad" || len(svc.Checks) != 1 || svc.Checks[0].Type != "tcp" || isPaasService(svc.Name) {
		t.Errorf("service %+v; want a nomad service with a tcp check the router ignores", svc)
	}
	task := tg.Tasks[0]
	if got := task.Config["volumes"]; !cmp.Equal(got, []string{"/var/lib/paas/addons/hello-postgres:/data"}) {
		t.Errorf("volumes = %v", got)
	}
	if task.Env["PAAS_ADDON_PASSWORD"] != "s3cret" || task.KillSignal != "SIGINT" || *task.Resources.MemoryMB != 32 {
		t.Errorf("task env %v, kill signal %q, memory %d", task.Env, task.KillSignal, *task.Resources.MemoryMB)
	}
	if *tg.RestartPolicy.Mode != "delay" {
		t.Errorf("restart mode %q; an add-on must keep restarting", *tg.RestartPolicy.Mode)
	}
}

// TestAppJobsMountNothing keeps the promise of deploy/nomad/agent.hcl:
// the docker driver allows bind mounts for add-ons and for the one-off
// runner, and no job of an app ever asks for another.
func TestAppJobsMountNothing(t *testing.T) {
	d := webDeployment("hello", 1, "paas/hello:build-1")
	d.Processes = append(d.Processes, paas.Process{Type: "worker", Count: 1, Command: []string{"sleep", "1"}})
	opts := Options{Runner: "/var/lib/paas/bin/paas-runner"}.withDefaults()
	oneOff := renderOneOff(paas.OneOff{App: "hello", Release: 1, Image: d.Image, Command: []string{"ls"}}, "paas-hello-run-00000000", opts)
	for _, job := range []*api.Job{renderJob(d, opts), oneOff} {
		for _, tg := range job.TaskGroups {
			for _, task := range tg.Tasks {
				for _, key := range []string{"volumes", "mount", "mounts", "volume_driver"} {
					v, ok := task.Config[key]
					if job == oneOff && key == "mount" {
						want := []map[string]any{{"type": "bind", "source": opts.Runner, "target": runnerPath, "readonly": true}}
						if !cmp.Equal(v, want) {
							t.Errorf("one-off mounts %v, want only the runner, read-only: %v", v, want)
						}
						continue
					}
					if ok {
						t.Errorf("job %s task %s has %s = %v", *job.ID, task.Name, key, v)
					}
				}
				if len(task.VolumeMounts) > 0 {
					t.Errorf("job %s task %s mounts volumes", *job.ID, task.Name)
				}
			}
		}
	}
}

func TestValidateAddonJob(t *testing.T) {
	ok := testAddonJob("db", "paas/addon-postgres:15", "/data/addons/db", 16000)
	tests := []struct {
		name   string
		change func(*paas.AddonJob)
	}{
		{"bad name", func(j *paas.AddonJob) { j.Addon = "Bad" }},
		{"name like a release", func(j *paas.AddonJob) { j.Addon = "x-v2" }},
		{"latest image", func(j *paas.AddonJob) { j.Image = "paas/addon-postgres:latest" }},
		{"no port", func(j *paas.AddonJob) { j.Port = 0 }},
		{"relative data dir", func(j *paas.AddonJob) { j.DataDir = "data" }},
		{"colon in data dir", func(j *paas.AddonJob) { j.DataDir = "/a:/etc" }},
		{"bad env", func(j *paas.AddonJob) { j.Env = map[string]string{"A-B": "x"} }},
	}
	if err := validateAddonJob(ok); err != nil {
		t.Fatalf("valid job: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := ok
			tt.change(&j)
			if code := paas.ErrorCode(validateAddonJob(j)); code != paas.EINVALID {
				t.Errorf("code %q, want invalid", code)
			}
		})
	}
}

// addonImage builds a stand-in for an add-on image: busybox httpd serving
// its data directory on 8000, after writing a file there on first start.
func addonImage(t testing.TB) string {
	t.Helper()
	base := nomadtest.Busybox(t)
	tag := fmt.Sprintf("paas-test/addon:%d", rand.Uint64())
	nomadtest.BuildImage(t, tag, "FROM "+base+"\n"+
		`CMD test -f /data/index.html || echo "first start" > /data/index.html; trap 'exit 0' TERM INT; httpd -f -p 8000 -h /data & wait`+"\n", nil)
	return tag
}

// freeHostPort returns a port that nothing on this host listens on.
func freeHostPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestAddonLifecycle(t *testing.T) {
	s := newTestScheduler(t, Options{})
	ctx := t.Context()
	name := fmt.Sprintf("test-%d", rand.Uint32())
	dir := t.TempDir()
	progress := &progressLog{t: t}
	ep, err := s.DeployAddon(ctx, testAddonJob(name, addonImage(t), dir, freeHostPort(t)), progress)
	t.Cleanup(func() { s.DestroyAddon(context.Background(), name) })
	if err != nil {
		t.Fatalf("DeployAddon: %v", err)
	}
	if !strings.Contains(progress.String(), name+" is healthy") {
		t.Errorf("progress %q", progress.String())
	}
	addr := net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port))
	if body := get(t, addr); body != "first start\n" {
		t.Fatalf("GET %s = %q", addr, body)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "index.html")); err != nil || string(b) != "first start\n" {
		t.Fatalf("data dir on the host: %q, %v", b, err)
	}
	if st, err := s.AddonStatus(ctx, name); err != nil || st != StateRunning {
		t.Errorf("AddonStatus = %q, %v; want running", st, err)
	}

	t.Run("exec streams stdin, stdout and the exit code", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code, err := s.ExecAddon(ctx, name, []string{"sh", "-c", "cat > /data/in; cat /data/in; echo oops >&2; exit 3"},
			strings.NewReader("from stdin"), &out, &errOut)
		if err != nil || code != 3 || out.String() != "from stdin" || errOut.String() != "oops\n" {
			t.Errorf("ExecAddon = %d, %v, stdout %q, stderr %q", code, err, out.String(), errOut.String())
		}
	})

	t.Run("data outlives the allocation", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("kept\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		stopAddonAlloc(t, s, name)
		deadline := time.Now().Add(60 * time.Second)
		for {
			body, err := tryGet(addr)
			st, _ := s.AddonStatus(ctx, name)
			if err == nil && body == "kept\n" && st == StateRunning {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after the restart: %q, %v, status %s", body, err, st)
			}
			time.Sleep(500 * time.Millisecond)
		}
	})

	if err := s.DestroyAddon(ctx, name); err != nil {
		t.Fatal(err)
	}
	if st, err := s.AddonStatus(ctx, name); err != nil || st != "missing" {
		t.Errorf("AddonStatus after destroy = %q, %v", st, err)
	}
	_, err = s.ExecAddon(ctx, name, []string{"true"}, strings.NewReader(""), io.Discard, io.Discard)
	if paas.ErrorCode(err) != paas.EUNAVAILABLE {
		t.Errorf("ExecAddon after destroy: %v, want unavailable", err)
	}
	if err := s.DestroyAddon(ctx, name); err != nil {
		t.Errorf("second DestroyAddon: %v", err)
	}
}

// stopAddonAlloc stops the running allocation of add-on name, as a node
// drain or an operator would; Nomad places a new one.
func stopAddonAlloc(t *testing.T, s *Scheduler, name string) {
	t.Helper()
	a, err := s.addonAlloc(t.Context(), name)
	if err != nil || a == nil {
		t.Fatalf("addonAlloc: %v, %v", a, err)
	}
	full, _, err := s.client.Allocations().Info(a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Allocations().Stop(full, nil); err != nil {
		t.Fatal(err)
	}
}

func TestDeployAddonCrashLoop(t *testing.T) {
	s := newTestScheduler(t, Options{})
	name := fmt.Sprintf("crash-%d", rand.Uint32())
	_, err := s.DeployAddon(t.Context(), testAddonJob(name, crashImage(t), t.TempDir(), freeHostPort(t)), nil)
	if paas.ErrorCode(err) != paas.EINVALID || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), "crashed") {
		t.Fatalf("DeployAddon of a crashing add-on: %v; want why, with its output", err)
	}
	if st, err := s.AddonStatus(t.Context(), name); err != nil || st != "missing" {
		t.Errorf("the failed add-on's job is left: %q, %v", st, err)
	}
}

func TestDeployAddonPortInUse(t *testing.T) {
	s := newTestScheduler(t, Options{})
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go http.Serve(ln, http.NotFoundHandler())
	port := ln.Addr().(*net.TCPAddr).Port
	name := fmt.Sprintf("busy-%d", rand.Uint32())
	_, err = s.DeployAddon(t.Context(), testAddonJob(name, addonImage(t), t.TempDir(), port), nil)
	if paas.ErrorCode(err) != paas.EINVALID || !strings.Contains(err.Error(), "failed to start") {
		t.Fatalf("DeployAddon on a taken port: %v", err)
	}
}
