package nomadtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Time limits of the agent's life.
const (
	readyTimeout = 60 * time.Second
	drainTimeout = 30 * time.Second
	exitTimeout  = 10 * time.Second
)

// Agent is a running Nomad agent, server and client, with its own data
// directory and free ports on 127.0.0.1.
type Agent struct {
	// Addr is the agent's HTTP API, http://127.0.0.1:port.
	Addr string
	// Dir holds the agent's config, data and log (agent.log).
	Dir string

	cmd    *exec.Cmd
	exited chan struct{}
	http   *http.Client
	nodeID string // labels the containers of this agent
}

// config is the agent configuration, layered over -dev: one node that is
// server and client, bound to loopback so that task ports bind to
// 127.0.0.1, with add-on ports on the docker0 bridge and bind mounts for
// add-on data, like deploy/nomad/agent.hcl. Dev mode retries the client's
// first registration after 1s instead of 15s (a fresh server rejects it
// until its keyring exists) and stops its allocations when it exits.
const config = `
data_dir  = %q
bind_addr = "127.0.0.1"
log_level = "INFO"
disable_update_check = true
advertise {
  http = "127.0.0.1"
  rpc  = "127.0.0.1"
  serf = "127.0.0.1"
}
ports {
  http = %d
  rpc  = %d
  serf = %d
}
server {
  enabled          = true
  bootstrap_expect = 1
}
client {
  enabled           = true
  network_interface = "lo"
  # Add-ons bind their fixed ports here, where app containers reach them.
  host_network "docker" {
    interface = "docker0"
  }
  options = {
    "fingerprint.denylist" = "env_aws,env_gce,env_azure,env_digitalocean"
    "driver.allowlist"     = "docker"
  }
}
plugin "docker" {
  config {
    allow_privileged = false
    # Lets Stop find the containers of this agent among those of others.
    extra_labels = ["node_id", "job_name"]
    # Add-on jobs bind their data directory from the host and one-offs the
    # paas-runner binary; release jobs never mount host paths (see
    # deploy/nomad/agent.hcl).
    volumes {
      enabled = true
    }
    gc {
      # Images are built locally and cannot be pulled again.
      image = false
      # Other agents (other tests, the platform itself) may share this
      # Docker daemon: never remove containers this agent did not start.
      dangling_containers {
        enabled = false
      }
    }
  }
}
`

// StartAgent starts an agent from the nomad binary bin and waits until its
// node is ready with a healthy docker driver. Stop it with Stop.
func StartAgent(bin string) (*Agent, error) {
	dir, err := os.MkdirTemp("", "nomadtest-")
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "agent.hcl")
	body := fmt.Sprintf(config, filepath.Join(dir, "data"), ports[0], ports[1], ports[2])
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "agent.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	a := &Agent{
		Addr:   "http://127.0.0.1:" + strconv.Itoa(ports[0]),
		Dir:    dir,
		cmd:    exec.Command(bin, "agent", "-dev", "-config", cfg),
		exited: make(chan struct{}),
		http:   &http.Client{Timeout: 10 * time.Second},
	}
	a.cmd.Stdout, a.cmd.Stderr = logf, logf
	if err := a.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { a.cmd.Wait(); close(a.exited) }()
	if err := a.waitReady(); err != nil {
		err = fmt.Errorf("%w\n%s", err, a.logTail())
		a.Stop()
		return nil, err
	}
	return a, nil
}

// waitReady waits until the node is ready and its docker driver healthy.
func (a *Agent) waitReady() error {
	deadline := time.Now().Add(readyTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-a.exited:
			return fmt.Errorf("nomad agent exited: %v", a.cmd.ProcessState)
		case <-time.After(200 * time.Millisecond):
		}
		if last = a.nodeReady(); last == nil {
			return nil
		}
	}
	return fmt.Errorf("nomad agent not ready after %s: %w", readyTimeout, last)
}

// node is the part of Nomad's node list the helper reads.
type node struct {
	ID      string
	Status  string
	Drivers map[string]struct {
		Detected, Healthy bool
		HealthDescription string
	}
}

func (a *Agent) nodeReady() error {
	var nodes []node
	if err := a.get("/v1/nodes?resources=false", &nodes); err != nil {
		return err
	}
	if len(nodes) == 0 || nodes[0].Status != "ready" {
		return errors.New("no ready node")
	}
	if d := nodes[0].Drivers["docker"]; !d.Healthy {
		return fmt.Errorf("docker driver not healthy: %s", d.HealthDescription)
	}
	a.nodeID = nodes[0].ID
	return nil
}

// Stop purges every job, waits for their containers to stop, stops the
// agent, removes containers it left behind and deletes its directory.
func (a *Agent) Stop() error {
	drainErr := a.drain()
	a.cmd.Process.Signal(os.Interrupt)
	select {
	case <-a.exited:
	case <-time.After(exitTimeout):
		a.cmd.Process.Kill()
		<-a.exited
	}
	removeContainers(a.nodeID)
	unmountUnder(a.Dir)
	if err := os.RemoveAll(a.Dir); err != nil {
		return errors.Join(drainErr, err)
	}
	return drainErr
}

// drain stops every job, waits until their allocations are terminal, and
// then purges the jobs.
func (a *Agent) drain() error {
	var jobs []struct{ ID, Namespace string }
	if err := a.get("/v1/jobs?namespace=*", &jobs); err != nil {
		return fmt.Errorf("list jobs: %w", err)
	}
	for _, j := range jobs {
		a.delete("/v1/job/" + url.PathEscape(j.ID) + "?namespace=" + url.QueryEscape(j.Namespace))
	}
	deadline := time.Now().Add(drainTimeout)
	for {
		running, err := a.runningAllocs()
		if err != nil || len(running) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d allocations still running %s after stopping all jobs: %s", len(running), drainTimeout, strings.Join(running, ", "))
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, j := range jobs {
		a.delete("/v1/job/" + url.PathEscape(j.ID) + "?purge=true&namespace=" + url.QueryEscape(j.Namespace))
	}
	return nil
}

// runningAllocs names the allocations that are not yet terminal on the
// client: "name (client status)".
func (a *Agent) runningAllocs() ([]string, error) {
	var allocs []struct{ ID, Name, ClientStatus string }
	if err := a.get("/v1/allocations?namespace=*&task_states=false", &allocs); err != nil {
		return nil, err
	}
	var running []string
	for _, al := range allocs {
		switch al.ClientStatus {
		case "complete", "failed", "lost":
		default:
			running = append(running, al.Name+" ("+al.ClientStatus+")")
		}
	}
	return running, nil
}

func (a *Agent) get(path string, out any) error {
	resp, err := a.http.Get(a.Addr + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (a *Agent) delete(path string) error {
	req, err := http.NewRequest(http.MethodDelete, a.Addr+path, nil)
	if err != nil {
		return err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// logTail returns the end of the agent's log, for errors.
func (a *Agent) logTail() string {
	b, _ := os.ReadFile(filepath.Join(a.Dir, "agent.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// freePorts returns n distinct free TCP ports on 127.0.0.1.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// removeContainers removes the containers that the agent of node left
// behind, such as those of jobs purged while their tasks were stopping.
func removeContainers(node string) {
	if _, err := exec.LookPath("docker"); err != nil || node == "" {
		return
	}
	out, err := exec.Command("docker", "ps", "-aq", "--filter", "label=com.hashicorp.nomad.node_id="+node).Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		return
	}
	exec.Command("docker", append([]string{"rm", "-f"}, strings.Fields(string(out))...)...).Run()
}

// unmountUnder detaches every mount below dir (the client mounts a tmpfs
// for each allocation's secrets), so that dir can be removed.
func unmountUnder(dir string) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var points []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			points = append(points, f[4])
		}
	}
	for i := len(points) - 1; i >= 0; i-- {
		syscall.Unmount(points[i], syscall.MNT_DETACH)
	}
}
