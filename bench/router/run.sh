#!/usr/bin/env bash
# run.sh benchmarks paas-router against nginx, HAProxy and Caddy on this
# machine, all on loopback, in one run:
#
#   1. throughput: wrk against the backend directly, through each proxy and
#      through go-httputil (the plainest Go reverse proxy, the floor of any
#      proxy built on net/http),
#      ROUNDS rounds interleaved (the order rotates each round), reporting
#      the median requests/s, p50 and p99 and each as a ratio to direct,
#      the proxy's CPU time per request, and the TIME_WAIT sockets on each
#      proxy's ports after its runs;
#   2. memory: each proxy started afresh, warmed up, then IDLE_CONNS idle
#      keep-alive client connections opened; the growth of its resident
#      memory divided by the connections.
#
# Every proxy keeps a keep-alive pool to the backend, logs no requests,
# and does the header work paas-router does on every request: it sets
# X-Forwarded-For, -Host and -Proto and a request id (X-Request-Id, new
# for each request) on the way to the app, and echoes the id to the
# client. (go-httputil sets the X-Forwarded ones only.)
# paas-router runs as the real binary, started from a state file with Nomad
# unreachable; its rate limit is set far above the load (the token bucket
# stays on the path) and its other limits are the defaults.
#
# It installs wrk, nginx, haproxy and caddy with apt-get when missing (as
# root), and skips a proxy that Debian does not package. Everything it
# starts is stopped on exit.
#
# Usage: bench/router/run.sh
# Env:   ROUNDS (3), DURATION (10s), CONNS (64), THREADS (2), IDLE_CONNS (1000),
#        BENCH_PORT_BASE (18080), PAAS_BENCH_OUT (a directory to keep the raw
#        results in; default a temporary one, removed at exit), BASELINE (a
#        git revision: paas-router as it was there is measured too, as
#        paas-router-base, in the same rounds)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
CONNS="${CONNS:-64}"
THREADS="${THREADS:-2}"
IDLE_CONNS="${IDLE_CONNS:-1000}"
BASE="${BENCH_PORT_BASE:-18080}"
HOST="bench.localhost"
BASELINE="${BASELINE:-}"

work="$(mktemp -d /tmp/paas-router-bench.XXXXXX)"
out="${PAAS_BENCH_OUT:-$work/out}"
mkdir -p "$out" "$work/bin" "$work/logs"
pids=()

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The ports: each proxy listens on its own, and reaches the backend on a
# port of its own, so that TIME_WAIT sockets can be told apart.
declare -A FRONT=([direct]=$((BASE + 10)) [paas-router]=$((BASE + 1)) [nginx]=$((BASE + 2)) [haproxy]=$((BASE + 3)) [caddy]=$((BASE + 4)) [go-httputil]=$((BASE + 5)) [paas-router-base]=$((BASE + 6)))
declare -A BACK=([direct]=$((BASE + 10)) [paas-router]=$((BASE + 11)) [nginx]=$((BASE + 12)) [haproxy]=$((BASE + 13)) [caddy]=$((BASE + 14)) [go-httputil]=$((BASE + 15)) [paas-router-base]=$((BASE + 16)))
METRICS_PORT=$((BASE + 21))
BASE_METRICS_PORT=$((BASE + 22))

# --- tools -------------------------------------------------------------------

declare -A AVAILABLE=()

# ensure_tool installs Debian package $2 for command $1 when missing, and
# records whether the command is there.
ensure_tool() {
  local cmd=$1 pkg=$2
  if command -v "$cmd" >/dev/null 2>&1; then AVAILABLE[$cmd]=1; return; fi
  if [[ $(id -u) -ne 0 ]]; then
    log "$cmd is not installed and this is not root: skipping it"; return
  fi
  local candidate
  candidate="$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')"
  if [[ -z $candidate || $candidate == "(none)" ]]; then
    log "Debian ($(. /etc/os-release && echo "$VERSION_CODENAME")) does not package $pkg: skipping it"; return
  fi
  log "installing $pkg $candidate"
  local policy=/usr/sbin/policy-rc.d made=""
  if [[ ! -e $policy ]]; then
    # Keep the package from starting its own service on port 80.
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; made=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >"$work/logs/apt-$pkg.log" 2>&1 || true
  [[ -n $made ]] && rm -f "$policy"
  if command -v "$cmd" >/dev/null 2>&1; then AVAILABLE[$cmd]=1; else log "could not install $pkg: skipping it"; fi
}

install_tools() {
  if [[ $(id -u) -eq 0 ]] && ! command -v wrk nginx haproxy caddy >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
  fi
  ensure_tool wrk wrk
  ensure_tool nginx nginx
  ensure_tool haproxy haproxy
  ensure_tool caddy caddy
  [[ -n ${AVAILABLE[wrk]:-} ]] || die "wrk is needed and could not be installed"
}

# --- processes -----------------------------------------------------------------

port_free() { [[ -z "$(ss -Htln "( sport = :$1 )")" ]]; }

# probe waits until a GET of / through port $1 answers 200, for 15s at most.
probe() {
  local port=$1
  for _ in $(seq 1 150); do
    if "$work/bin/idleconns" -addr "127.0.0.1:$port" -host "$HOST" -n 1 -hold 0 >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

spawn() { # name, command...
  local name=$1; shift
  "$@" >"$work/logs/$name.log" 2>&1 &
  pids+=($!)
  eval "PID_${name//-/_}=$!"
}

start_backend() {
  local addrs="" n
  for n in direct paas-router go-httputil nginx haproxy caddy paas-router-base; do addrs+="${addrs:+,}127.0.0.1:${BACK[$n]}"; done
  spawn backend "$work/bin/backend" -listen "$addrs"
  probe "${BACK[direct]}" || die "backend did not start: $(cat "$work/logs/backend.log")"
}

start_paas_router() { # [name binary metrics-port]
  local name=${1:-paas-router} bin=${2:-$work/bin/paas-router} metrics=${3:-$METRICS_PORT}
  cat >"$work/$name-table.json" <<EOF
{"version": 1, "saved_at": "2026-01-01T00:00:00Z",
 "instances": [{"app": "bench", "release": 1, "alloc_id": "bench", "addr": "127.0.0.1:${BACK[$name]}", "health_path": "/"}]}
EOF
  # Nomad at the discard port: refused at once, so the router starts from
  # its state file, as when the control plane is down.
  spawn "$name" "$bin" --listen "127.0.0.1:${FRONT[$name]}" --tls-listen= \
    --metrics-listen "127.0.0.1:$metrics" --nomad-addr http://127.0.0.1:9 \
    --state-file "$work/$name-table.json" --access-log=false \
    --rate-limit 1000000000 --rate-burst 1000000000 --pprof
}

start_paas_router_base() {
  start_paas_router paas-router-base "$work/bin/base/paas-router" "$BASE_METRICS_PORT"
}

start_go_httputil() {
  spawn go-httputil "$work/bin/goproxy" -listen "127.0.0.1:${FRONT[go-httputil]}" -upstream "127.0.0.1:${BACK[go-httputil]}"
}

start_nginx() {
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<EOF
user root;
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/logs/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream backend {
    server 127.0.0.1:${BACK[nginx]};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${FRONT[nginx]};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Host \$host;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Request-Id \$request_id;
      add_header X-Request-Id \$request_id;
    }
  }
}
EOF
  spawn nginx nginx -p "$work/nginx" -e "$work/logs/nginx-error.log" -c "$work/nginx/nginx.conf"
}

start_haproxy() {
  cat >"$work/haproxy.cfg" <<EOF
global
  maxconn 8192
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
frontend fe
  bind 127.0.0.1:${FRONT[haproxy]}
  http-request del-header X-Forwarded-For
  option forwardfor
  unique-id-format %[uuid()]
  unique-id-header X-Request-Id
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  http-request set-header X-Forwarded-Proto http
  http-response set-header X-Request-Id %[unique-id]
  default_backend be
backend be
  http-reuse always
  server app 127.0.0.1:${BACK[haproxy]}
EOF
  spawn haproxy haproxy -db -f "$work/haproxy.cfg"
}

start_caddy() {
  mkdir -p "$work/caddy"
  cat >"$work/caddy/Caddyfile" <<EOF
{
  admin off
  auto_https off
}
http://:${FRONT[caddy]} {
  bind 127.0.0.1
  header X-Request-Id {http.request.uuid}
  reverse_proxy 127.0.0.1:${BACK[caddy]} {
    header_up X-Request-Id {http.request.uuid}
  }
}
EOF
  XDG_DATA_HOME="$work/caddy" XDG_CONFIG_HOME="$work/caddy" spawn caddy caddy run --adapter caddyfile --config "$work/caddy/Caddyfile"
}

# targets lists what is measured: direct and each proxy that is installed.
targets() {
  echo direct paas-router go-httputil
  [[ -n $BASELINE ]] && echo paas-router-base
  local p
  for p in nginx haproxy caddy; do [[ -n ${AVAILABLE[$p]:-} ]] && echo "$p"; done
  return 0
}

start_all() {
  start_backend
  local t
  for t in $(targets); do
    [[ $t == direct ]] && continue
    "start_${t//-/_}"
    probe "${FRONT[$t]}" || die "$t did not start: $(tail -5 "$work/logs/$t.log")"
  done
}

stop_all() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}

# --- measures ------------------------------------------------------------------

# to_ms converts a wrk latency (850.00us, 1.20ms, 1.01s) to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else print "nan" }'
}

time_wait() { # sockets in TIME_WAIT on port $1 or $2
  ss -Htan state time-wait "( sport = :$1 or dport = :$1 or sport = :$2 or dport = :$2 )" | wc -l
}

pid_of() { # the process serving target $1
  if [[ $1 == direct ]]; then echo "$PID_backend"; else eval "echo \$PID_${1//-/_}"; fi
}

cpu_ticks() { # CPU time, user and system, of pid $1 and its children, in clock ticks
  local total=0 p
  for p in $1 $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# run_wrk measures one target once. Besides wrk's figures it records the
# CPU time the proxy spent per request, which depends much less than
# requests/s on whatever else the machine is doing.
run_wrk() { # target round
  local t=$1 round=$2 port=${FRONT[$1]} f="$out/wrk-$1-$2.txt" pid before after
  pid="$(pid_of "$t")"
  before="$(cpu_ticks "$pid")"
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "Host: $HOST" "http://127.0.0.1:$port/" >"$f" 2>&1
  after="$(cpu_ticks "$pid")"
  local rps p50 p99 bad tw n cpu
  rps="$(awk '/^Requests\/sec/ {print $2}' "$f")"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")"
  n="$(awk '/requests in/ {print $1}' "$f")"
  cpu="$(awk -v d=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN {printf "%.1f", d * 1e6 / hz / n}')"
  bad="$(awk '/Non-2xx/ {print $NF} /Socket errors/ {print}' "$f" | tr '\n' ' ')"
  tw="$(time_wait "$port" "${BACK[$t]}")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$round" "$rps" "$p50" "$p99" "$tw" "$cpu" >>"$out/results.tsv"
  printf '   %-12s round %s: %10s req/s  p50 %8s ms  p99 %8s ms  CPU %6s us/req  TIME_WAIT %5s %s\n' "$t" "$round" "$rps" "$p50" "$p99" "$cpu" "$tw" "${bad:+ errors: $bad}" >&2
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
column_of() { awk -F'\t' -v t="$1" -v c="$2" '$1 == t {print $c}' "$out/results.tsv" | median; }
maximum() { awk -F'\t' -v t="$1" -v c="$2" '$1 == t && $c > m {m = $c} END {print m + 0}' "$out/results.tsv"; }

throughput() {
  : >"$out/results.tsv"
  local list round i n t
  read -ra list <<<"$(targets | tr '\n' ' ')"
  n=${#list[@]}
  # Warm every proxy's upstream pool once, unmeasured.
  for t in "${list[@]}"; do wrk -t1 -c"$CONNS" -d2s -H "Host: $HOST" "http://127.0.0.1:${FRONT[$t]}/" >/dev/null 2>&1; done
  for round in $(seq 1 "$ROUNDS"); do
    log "round $round of $ROUNDS"
    for i in $(seq 0 $((n - 1))); do
      run_wrk "${list[$(((i + round - 1) % n))]}" "$round"
    done
  done
}

rss_kb() { # total resident memory of pid $1 and its children, in KiB
  local total=0 p
  for p in $1 $(pgrep -P "$1" || true); do
    total=$((total + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

idle_memory() { # target: prints KiB per idle connection
  local t=$1 port=${FRONT[$1]} pid before after client
  if [[ $t == direct ]]; then pid=$PID_backend; else eval "pid=\$PID_${t//-/_}"; fi
  # Warm up with as many requests as the measure will make, on a few
  # connections (nginx closes one after 1000), so that the heap has
  # already grown for their garbage.
  "$work/bin/idleconns" -addr "127.0.0.1:$port" -host "$HOST" -n 10 -requests $((IDLE_CONNS / 10)) -hold 0 >/dev/null
  sleep 1
  before=$(rss_kb "$pid")
  "$work/bin/idleconns" -addr "127.0.0.1:$port" -host "$HOST" -n "$IDLE_CONNS" -hold 60s >"$work/idle-$t.out" 2>&1 &
  client=$!
  for _ in $(seq 1 300); do grep -q ready "$work/idle-$t.out" && break; sleep 0.1; done
  grep -q ready "$work/idle-$t.out" || die "idle connections to $t: $(cat "$work/idle-$t.out")"
  sleep 2
  after=$(rss_kb "$pid")
  kill "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  awk -v b="$before" -v a="$after" -v n="$IDLE_CONNS" 'BEGIN {printf "%.1f\t%d\t%d\n", (a - b) / n, b, a}'
}

memory() {
  : >"$out/memory.tsv"
  local t
  for t in $(targets); do
    printf '%s\t%s\n' "$t" "$(idle_memory "$t")" >>"$out/memory.tsv"
    log "memory $t: $(cut -f2- <<<"$(tail -1 "$out/memory.tsv")" | awk -F'\t' '{printf "%s KiB per idle connection (RSS %d -> %d KiB)", $1, $2, $3}')"
  done
}

# --- report --------------------------------------------------------------------

report() {
  local drps dp50 dp99 t rps p50 p99 tw mem
  drps="$(column_of direct 3)"; dp50="$(column_of direct 4)"; dp99="$(column_of direct 5)"
  echo
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(free -g | awk '/Mem:/ {print $2}') GiB, $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "Versions: paas-router $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown) (go $(go env GOVERSION | sed 's/^go//')), wrk $(wrk -v 2>&1 | awk 'NR == 1 {print $2}')$(
    [[ -n ${AVAILABLE[nginx]:-} ]] && printf ', nginx %s' "$(nginx -v 2>&1 | sed 's|.*/||')")$(
    [[ -n ${AVAILABLE[haproxy]:-} ]] && printf ', HAProxy %s' "$(haproxy -v | awk 'NR == 1 {print $3}')")$(
    [[ -n ${AVAILABLE[caddy]:-} ]] && printf ', Caddy %s' "$(caddy version | awk '{print $1}')")"
  echo "Load: wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds interleaved, medians; body 100 bytes; all on loopback"
  echo
  echo "| target | req/s | p50 ms | p99 ms | req/s vs direct | p50 vs direct | p99 vs direct | CPU µs/req | TIME_WAIT | KiB per idle conn |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for t in $(targets); do
    rps="$(column_of "$t" 3)"; p50="$(column_of "$t" 4)"; p99="$(column_of "$t" 5)"; tw="$(maximum "$t" 6)"; cpu="$(column_of "$t" 7)"
    mem="$(awk -F'\t' -v t="$t" '$1 == t {print $2}' "$out/memory.tsv" 2>/dev/null)"
    awk -v t="$t" -v r="$rps" -v a="$p50" -v b="$p99" -v dr="$drps" -v da="$dp50" -v db="$dp99" -v tw="$tw" -v m="${mem:-n/a}" -v c="$cpu" \
      'BEGIN {printf "| %s | %.0f | %.3f | %.3f | %.2fx | %.2fx | %.2fx | %.1f | %d | %s |\n", t, r, a, b, r / dr, a / da, b / db, c, tw, m}'
  done
  echo
  echo "CPU µs/req is the CPU time of the serving process (backend for direct, else the proxy) per request."
  echo
  goals
}

goals() {
  local r n c
  r="$(column_of paas-router 3)"
  if [[ -n ${AVAILABLE[caddy]:-} ]]; then
    c="$(column_of caddy 3)"
    awk -v r="$r" -v c="$c" 'BEGIN {printf "goal: paas-router ahead of Caddy in req/s: %.0f vs %.0f (%.2fx): %s\n", r, c, r / c, (r > c) ? "met" : "MISSED"}'
  fi
  if [[ -n ${AVAILABLE[nginx]:-} ]]; then
    n="$(column_of nginx 3)"
    awk -v r="$r" -v n="$n" 'BEGIN {printf "goal: paas-router at least 0.9x nginx req/s: %.2fx: %s\n", r / n, (r >= 0.9 * n) ? "met" : "MISSED"}'
    awk -v r="$(column_of paas-router 5)" -v n="$(column_of nginx 5)" \
      'BEGIN {printf "goal: paas-router p99 within 1.2x nginx: %.3f vs %.3f ms (%.2fx): %s\n", r, n, r / n, (r <= 1.2 * n) ? "met" : "MISSED"}'
    awk -v r="$(column_of paas-router 7)" -v n="$(column_of nginx 7)" -v g="$(column_of go-httputil 7)" \
      'BEGIN {printf "note: CPU per request: paas-router %.1f us, go-httputil %.1f us, nginx %.1f us (paas-router %.2fx nginx)\n", r, g, n, r / n}'
  fi
  # wrk closes its connections at the end of every run, and a socket stays
  # in TIME_WAIT for 60s, so a few runs' worth of client connections is
  # expected; one per request (or per upstream request) is what must not be.
  awk -v tw="$(maximum paas-router 6)" -v c="$CONNS" \
    'BEGIN {printf "goal: TIME_WAIT bounded: at most %d sockets on the router'"'"'s ports after a run, limit %d (4 x %d client connections): %s\n", tw, 4 * c, c, (tw <= 4 * c) ? "met" : "MISSED"}'
  awk -v m="$(awk -F'\t' '$1 == "paas-router" {print $2}' "$out/memory.tsv")" \
    'BEGIN {printf "goal: at most 25 KB per idle client connection: %.1f KiB (%.1f KB): %s\n", m, m * 1.024, (m * 1.024 <= 25) ? "met" : "MISSED"}'
}

main() {
  command -v go >/dev/null || die "go is needed to build paas-router"
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  install_tools
  for p in "${FRONT[@]}" "${BACK[@]}" "$METRICS_PORT"; do port_free "$p" || die "port $p is in use; set BENCH_PORT_BASE"; done
  log "building paas-router, the backend and the idle-connection client"
  (cd "$ROOT" && go build -o "$work/bin/" ./cmd/paas-router ./bench/router/backend ./bench/router/idleconns ./bench/router/goproxy)
  if [[ -n $BASELINE ]]; then
    log "building paas-router at $BASELINE"
    mkdir -p "$work/base"
    git -C "$ROOT" archive "$BASELINE" | tar -x -C "$work/base"
    (cd "$work/base" && go build -o "$work/bin/base/" ./cmd/paas-router)
  fi

  log "throughput: starting the backend and the proxies"
  start_all
  throughput
  stop_all
  log "memory per idle connection: fresh processes"
  start_all
  memory
  stop_all
  report | tee "$out/report.md"
}

main "$@"
