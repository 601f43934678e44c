# Nomad agent of a single-node platform: server and client in one process,
# bound to loopback so task ports bind to 127.0.0.1. install.sh fills in
# @DATA_DIR@ and @HTTP_PORT@.
data_dir             = "@DATA_DIR@"
bind_addr            = "127.0.0.1"
log_level            = "INFO"
disable_update_check = true

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
}

client {
  enabled           = true
  network_interface = "lo"
  options = {
    # The cloud fingerprinters time out on machines with no metadata service.
    "fingerprint.denylist" = "env_aws,env_gce,env_azure,env_digitalocean"
  }
}

plugin "docker" {
  config {
    allow_privileged = false
    volumes {
      enabled = false
    }
    gc {
      # Release images are built locally and cannot be pulled again: never
      # let Nomad delete them. The platform removes an app's images itself.
      image = false
    }
  }
}
