# Nomad agent of a single-node paas install: one process that is both the
# server and the client, reachable on loopback only. The platform's
# scheduler talks to it on http://127.0.0.1:@HTTP_PORT@.
#
# This file is a template: deploy/install.sh replaces @DATA_DIR@ with the
# agent's state directory (e.g. /var/lib/paas/nomad) and @HTTP_PORT@ with
# its API port (4646), then runs `nomad agent -config <file>` as root (the
# docker driver and the client's mounts need it). On a fresh data dir the
# node is ready only after 15-30 s: the client's first registration comes
# before the server's keyring exists and is retried 15 s later.
#
# There is no ACL: anyone who can reach 127.0.0.1:4646 can run jobs.

datacenter           = "dc1"
data_dir             = "@DATA_DIR@"
bind_addr            = "127.0.0.1"
log_level            = "INFO"
disable_update_check = true

# With bind_addr on loopback Nomad refuses to guess what to advertise.
advertise {
  http = "127.0.0.1"
  rpc  = "127.0.0.1"
  serf = "127.0.0.1"
}

ports {
  http = @HTTP_PORT@
  rpc  = 4647
  serf = 4648
}

server {
  enabled          = true
  bootstrap_expect = 1
  # The scheduler purges the jobs it stops; this only sweeps leftovers
  # (for example jobs stopped while their instances took long to exit).
  job_gc_threshold = "1h"
}

client {
  enabled = true
  # Task ports bind to 127.0.0.1: only the router on this node reaches
  # the instances, and the service catalogue advertises 127.0.0.1:port.
  network_interface = "lo"
  # Add-ons (Postgres, Redis) bind their fixed ports on the docker0 bridge
  # only: app containers reach them at the bridge's gateway address
  # (172.17.0.1 by default), and nothing off this host does. The platform
  # puts the address in DATABASE_URL and the like; see docs/addons.md.
  host_network "docker" {
    interface = "docker0"
  }
  options = {
    # The cloud fingerprinters time out on these machines.
    "fingerprint.denylist" = "env_aws,env_gce,env_azure,env_digitalocean"
    # Apps run as containers only.
    "driver.allowlist" = "docker"
  }
}

plugin "docker" {
  config {
    # Apps get no host privileges and no host paths.
    allow_privileged = false
    # `docker ps` then shows which job and process a container belongs to.
    extra_labels = ["job_name", "task_group_name", "node_id"]
    # Bind mounts are on for two reasons: an add-on's job binds its data
    # directory, <data dir>/addons/<name>, so the data outlives the
    # container, and a one-off process (paas run, a release command) gets
    # the paas-runner binary bound read-only as its entrypoint. The platform
    # renders every job it submits; add-on jobs carry volumes
    # (scheduler/addons.go), one-offs that one read-only file
    # (scheduler/run.go), and the jobs of app releases never mount host
    # paths (scheduler/job.go; all checked by TestAppJobsMountNothing). The
    # docker driver cannot restrict the host paths it allows, and anyone
    # who can reach this agent's API (no ACL, loopback only) can already
    # run any job: keep 127.0.0.1:4646 closed to other users of the host.
    volumes {
      enabled = true
    }
    gc {
      # Release images are built on this node and cannot be pulled again:
      # keep them for restarts and rollbacks. The platform removes images
      # of releases it no longer keeps.
      image = false
      # Remove containers of allocations this agent no longer knows, such
      # as after its state was lost.
      dangling_containers {
        enabled        = true
        creation_grace = "5m"
      }
    }
  }
}
