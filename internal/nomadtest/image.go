package nomadtest

import (
	"debug/elf"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// BusyboxImage is the local base image of test apps: busybox on scratch.
const BusyboxImage = "paas/busybox:1.35"

// busyboxBinary is Debian's busybox-static.
const busyboxBinary = "/bin/busybox"

var busyboxOnce sync.Mutex

// Busybox returns BusyboxImage, building it with the docker CLI from
// Debian's static busybox when it is missing. It skips the test (fails it
// under CI=true) when the docker CLI or a static busybox is missing.
func Busybox(t testing.TB) string {
	t.Helper()
	busyboxOnce.Lock()
	defer busyboxOnce.Unlock()
	requireDockerCLI(t)
	if exec.Command("docker", "image", "inspect", BusyboxImage).Run() == nil {
		return BusyboxImage
	}
	if err := isStatic(busyboxBinary); err != nil {
		absent(t, "no static busybox to build %s (apt-get install busybox-static): %v", BusyboxImage, err)
	}
	dir := t.TempDir()
	b, err := os.ReadFile(busyboxBinary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "busybox"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	const dockerfile = "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\",\"--install\",\"-s\",\"/bin\"]\n"
	build(t, BusyboxImage, dir, dockerfile, nil)
	return BusyboxImage
}

// BuildImage builds image tag from a Dockerfile and files (name to
// content) with the docker CLI, and removes the image when the test ends.
func BuildImage(t testing.TB, tag, dockerfile string, files map[string]string) {
	t.Helper()
	requireDockerCLI(t)
	build(t, tag, t.TempDir(), dockerfile, files)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", tag).Run() })
}

func build(t testing.TB, tag, dir, dockerfile string, files map[string]string) {
	t.Helper()
	files = maps.Clone(files)
	if files == nil {
		files = map[string]string{}
	}
	files["Dockerfile"] = dockerfile
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("docker", "build", "-q", "-t", tag, dir)
	// The classic builder needs no buildx plugin.
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker build %s: %v\n%s", tag, err, out)
	}
}

func requireDockerCLI(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		absent(t, "no docker CLI to build test images")
	}
	if err := DockerAvailable(); err != nil {
		absent(t, "%v", err)
	}
}

// isStatic reports whether the ELF file at p needs no dynamic loader, as a
// binary copied into a scratch image must.
func isStatic(p string) error {
	f, err := elf.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked", p)
		}
	}
	return nil
}
