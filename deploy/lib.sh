# lib.sh: shared steps of install.sh and test.sh. Source it; do not run it.
# Every function is idempotent: it checks before it acts.

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# need_root stops early with a clear message: installing packages and
# starting dockerd need root.
need_root() {
  [[ $(id -u) -eq 0 ]] || die "run this as root (e.g. sudo $0): it installs Debian packages and starts dockerd"
}

# apt_install installs the Debian packages that are missing.
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [[ -z "${PAAS_APT_UPDATED:-}" ]]; then
    apt-get update -qq >&2
    export PAAS_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# need_go checks for a Go toolchain new enough for go.mod.
need_go() {
  if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
    export PATH="/usr/local/go/bin:$PATH"
  fi
  command -v go >/dev/null || die "Go is not installed; install Go $(go_wanted) or newer from the Go website, then run this again"
}

go_wanted() { sed -n 's/^go //p' "$ROOT/go.mod"; }

# ensure_docker starts Debian's dockerd when no engine answers.
ensure_docker() {
  apt_install docker.io
  if docker info >/dev/null 2>&1; then return 0; fi
  log "starting dockerd"
  mkdir -p "$1"
  nohup dockerd >"$1/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "dockerd did not start; see $1/dockerd.log"
}

# ensure_nomad builds (once, cached by version) and prints the Nomad binary.
ensure_nomad() {
  "$ROOT/deploy/nomad-build.sh"
}

# ensure_base_images makes the local base images app Dockerfiles build on.
ensure_base_images() {
  "$ROOT/deploy/images.sh"
}

# wait_http waits until url answers 2xx, or dies with the log to look at.
wait_http() {
  local url=$1 what=$2 logf=$3
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.5
  done
  die "$what did not come up at $url; see $logf"
}

# running tells whether the pid in a pid file is alive.
running() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile stops the process of a pid file and waits for it to exit.
stop_pidfile() {
  running "$1" || { rm -f "$1"; return 0; }
  local pid; pid=$(cat "$1")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$1"
}
