package nomadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultCacheDir is where deploy/nomad-build.sh caches Nomad binaries, as
// <cache>/nomad/<version>/nomad.
const DefaultCacheDir = "/var/cache/paas"

// Binary finds the nomad binary: $PAAS_NOMAD_BIN, then nomad on $PATH,
// then the newest version cached under $PAAS_CACHE_DIR or DefaultCacheDir.
func Binary() (string, error) {
	if p := os.Getenv("PAAS_NOMAD_BIN"); p != "" {
		if !isExecutable(p) {
			return "", fmt.Errorf("PAAS_NOMAD_BIN=%s is not an executable file", p)
		}
		return p, nil
	}
	if p, err := exec.LookPath("nomad"); err == nil {
		return p, nil
	}
	var dirs []string
	if d := os.Getenv("PAAS_CACHE_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, dir := range append(dirs, DefaultCacheDir) {
		if p := newestCached(dir); p != "" {
			return p, nil
		}
	}
	return "", errors.New("no nomad binary: set PAAS_NOMAD_BIN, put nomad on PATH, or build it with deploy/nomad-build.sh")
}

// newestCached returns the cached binary of the highest version in dir.
func newestCached(dir string) string {
	found, _ := filepath.Glob(filepath.Join(dir, "nomad", "*", "nomad"))
	found = slices.DeleteFunc(found, func(p string) bool { return !isExecutable(p) })
	slices.SortFunc(found, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(a)), filepath.Base(filepath.Dir(b)))
	})
	if len(found) == 0 {
		return ""
	}
	return found[len(found)-1]
}

// compareVersions orders dotted versions numerically ("1.10.0" > "1.9.3").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			fmt.Sscan(as[i], &x)
		}
		if i < len(bs) {
			fmt.Sscan(bs[i], &y)
		}
		if x != y {
			return x - y
		}
	}
	return strings.Compare(a, b)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// DockerAvailable reports whether a Docker daemon answers on the socket
// that Nomad's docker driver uses ($DOCKER_HOST or /var/run/docker.sock).
func DockerAvailable() error {
	sock := "/var/run/docker.sock"
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		p, ok := strings.CutPrefix(h, "unix://")
		if !ok {
			return nil // a TCP daemon: let the docker driver find out
		}
		sock = p
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}, Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://docker/_ping")
	if err != nil {
		return fmt.Errorf("docker daemon not reachable on %s (start dockerd): %w", sock, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("docker daemon on %s answers %s", sock, resp.Status)
	}
	return nil
}
