#!/usr/bin/env bash
# install.sh installs what is missing and starts the platform on this machine:
# Docker Engine, PostgreSQL, git, a Nomad agent (built once from the Go module
# proxy and cached), the base images, paasd and paas-router. It is idempotent:
# a second run only restarts what changed. All state lives under PAAS_DATA_DIR.
#
# Env: PAAS_DATA_DIR (/var/lib/paas), PAAS_API_PORT (5050), PAAS_ROUTER_PORT
#      (8080), PAAS_ROUTER_TLS_PORT (8443), PAAS_DOMAIN (localhost),
#      PAAS_SKIP_DEBIAN_IMAGE (unset)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=deploy/lib.sh
. "$ROOT/deploy/lib.sh"

DATA="${PAAS_DATA_DIR:-/var/lib/paas}"
API_PORT="${PAAS_API_PORT:-5050}"
ROUTER_PORT="${PAAS_ROUTER_PORT:-8080}"
ROUTER_TLS_PORT="${PAAS_ROUTER_TLS_PORT:-8443}"
DOMAIN="${PAAS_DOMAIN:-localhost}"
NOMAD_PORT="${PAAS_NOMAD_PORT:-4646}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"

need_root
apt_install git curl ca-certificates postgresql busybox-static debootstrap iproute2
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
need_go
mkdir -p "$DATA"/{bin,logs,run,repos}
# Others may traverse (the postgres user reaches its cluster) but not list.
chmod 711 "$DATA"

ensure_docker "$DATA/logs"

start_postgres() {
  local pgdata="$DATA/postgres/data" sock="$DATA/postgres/run"
  mkdir -p "$pgdata" "$sock"
  chown -R postgres:postgres "$DATA/postgres"
  chmod 700 "$pgdata"
  if [[ ! -f $pgdata/PG_VERSION ]]; then
    log "creating the platform's PostgreSQL cluster in $pgdata"
    runuser -u postgres -- "$PGBIN/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 >"$DATA/logs/initdb.log"
  fi
  if ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    log "starting PostgreSQL (unix socket in $sock)"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$pgdata" -w -l "$DATA/postgres/postgres.log" \
      -o "-c listen_addresses='' -c unix_socket_directories='$sock'" start >/dev/null
  fi
  if ! runuser -u postgres -- "$PGBIN/psql" -h "$sock" -U postgres -tAc "select 1 from pg_database where datname='paas'" | grep -q 1; then
    runuser -u postgres -- "$PGBIN/createdb" -h "$sock" -U postgres paas
  fi
}

start_nomad() {
  local bin; bin="$(ensure_nomad)"
  install -m 0755 "$bin" "$DATA/bin/nomad.new"
  if ! cmp -s "$DATA/bin/nomad.new" "$DATA/bin/nomad" 2>/dev/null; then
    stop_pidfile "$DATA/run/nomad.pid"
    mv "$DATA/bin/nomad.new" "$DATA/bin/nomad"
  else
    rm -f "$DATA/bin/nomad.new"
  fi
  mkdir -p "$DATA/nomad"
  sed -e "s|@DATA_DIR@|$DATA/nomad|g" -e "s|@HTTP_PORT@|$NOMAD_PORT|g" \
    "$ROOT/deploy/nomad/agent.hcl" >"$DATA/nomad/agent.hcl.new"
  # The agent reads its config only when it starts (add-ons need the
  # docker host network and bind mounts of agent.hcl). A restarted client
  # finds its running tasks again.
  if ! cmp -s "$DATA/nomad/agent.hcl.new" "$DATA/nomad/agent.hcl" 2>/dev/null; then
    stop_pidfile "$DATA/run/nomad.pid"
  fi
  mv "$DATA/nomad/agent.hcl.new" "$DATA/nomad/agent.hcl"
  if ! running "$DATA/run/nomad.pid"; then
    log "starting the Nomad agent"
    nohup "$DATA/bin/nomad" agent -config "$DATA/nomad/agent.hcl" >"$DATA/logs/nomad.log" 2>&1 &
    echo $! >"$DATA/run/nomad.pid"
  fi
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$NOMAD_PORT/v1/nodes" 2>/dev/null | grep -q '"Status":"ready"' && return 0
    sleep 0.5
  done
  die "the Nomad agent did not become ready; see $DATA/logs/nomad.log"
}

build_platform() {
  log "building paasd, paas-router, paas-runner and paas"
  (cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$DATA/bin/.build/" ./cmd/paasd ./cmd/paas-router ./cmd/paas-runner ./cmd/paas)
  # One-off containers mount the runner (see cmd/paas-runner); paasd finds
  # it next to itself.
  install -m 0755 "$DATA/bin/.build/paas-runner" "$DATA/bin/paas-runner"
  install -m 0755 "$DATA/bin/.build/paas" /usr/local/bin/paas
}

# restart_if_changed (re)starts a platform daemon when its binary changed
# or it is not running.
restart_if_changed() {
  local name=$1; shift
  local new="$DATA/bin/.build/$name" cur="$DATA/bin/$name" pidf="$DATA/run/$name.pid"
  if ! cmp -s "$new" "$cur" 2>/dev/null; then
    stop_pidfile "$pidf"
    install -m 0755 "$new" "$cur"
  fi
  if ! running "$pidf"; then
    log "starting $name"
    nohup "$cur" "$@" >>"$DATA/logs/$name.log" 2>&1 &
    echo $! >"$pidf"
  fi
}

start_postgres
start_nomad
PAAS_SKIP_DEBIAN_IMAGE="${PAAS_SKIP_DEBIAN_IMAGE:-}" ensure_base_images
build_platform

DSN="host=$DATA/postgres/run dbname=paas user=postgres sslmode=disable"
restart_if_changed paasd --data-dir "$DATA" --listen "127.0.0.1:$API_PORT" --database-url "$DSN" \
  --nomad-addr "http://127.0.0.1:$NOMAD_PORT" --domain "$DOMAIN" --router-port "$ROUTER_PORT"
wait_http "http://127.0.0.1:$API_PORT/healthz" paasd "$DATA/logs/paasd.log"
restart_if_changed paas-router --listen "127.0.0.1:$ROUTER_PORT" --tls-listen "127.0.0.1:$ROUTER_TLS_PORT" --nomad-addr "http://127.0.0.1:$NOMAD_PORT" --domain "$DOMAIN"
wait_http "http://127.0.0.1:$ROUTER_PORT/healthz" paas-router "$DATA/logs/paas-router.log"

cat <<MSG

The platform is running.
  API:     http://127.0.0.1:$API_PORT
  Console: http://127.0.0.1:$API_PORT/console/
  Router:  http://<app>.$DOMAIN:$ROUTER_PORT/
  TLS:     https://<app>.$DOMAIN:$ROUTER_TLS_PORT/ and custom domains (paas domains:add)
  Nomad:   http://127.0.0.1:$NOMAD_PORT
  Logs:    $DATA/logs/

Log in as the admin with:
  paas login --api http://127.0.0.1:$API_PORT --token "\$(cat $DATA/admin-token)"
The console takes a user name and password; make a user with:
  paas users:create NAME            # prints a generated password once
MSG
