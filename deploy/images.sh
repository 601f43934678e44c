#!/usr/bin/env bash
# images.sh makes the local base images that app Dockerfiles may name in FROM.
# No registry is reachable from these machines, so nothing can be pulled and
# every base image is made here, once. An image that already exists is left
# alone, so a second run returns at once.
#
#   paas/busybox:1.35     FROM scratch + Debian's static busybox, applets in /bin
#   debian:bookworm       debootstrap --variant=minbase, imported (takes minutes)
#   paas/stack-<name>:1   the language stacks that apps without a Dockerfile
#                         build on: go, node, python (on debian:bookworm, with
#                         Debian's packages) and static (on paas/busybox), from
#                         deploy/stacks/<name>/Dockerfile
#   paas/addon-postgres:15, paas/addon-redis:7
#                         the images add-ons run (docs/addons.md), on
#                         debian:bookworm with Debian's postgresql-15 and
#                         redis-server, from deploy/addons/<name>/Dockerfile
#
# All carry the label org.gitpaas.base-image=true; the builder lists images
# with that label when a Dockerfile names a base image that does not exist.
# A stack or add-on image also carries org.gitpaas.stack-hash, the hash of
# its directory's files and of its base image's ID: it is rebuilt when either
# changed.
#
# Usage: deploy/images.sh
# Env:   PAAS_SKIP_DEBIAN_IMAGE=1  do not make debian:bookworm (the stacks on
#                                  it are then made only if it exists)
#        PAAS_SKIP_STACK_IMAGES=1  do not make the stack images
#        PAAS_SKIP_ADDON_IMAGES=1  do not make the add-on images
#        DEBIAN_MIRROR             mirror for debootstrap (default: the one apt
#                                  uses, else http://deb.debian.org/debian)
set -euo pipefail

readonly BASE_LABEL="org.gitpaas.base-image=true"
readonly BUSYBOX_IMAGE="paas/busybox:1.35"
readonly DEBIAN_IMAGE="debian:bookworm"
readonly DEBIAN_SUITE="bookworm"
readonly STACKS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/stacks"
readonly STACKS=(go node python static)
readonly STACK_TAG=1
readonly STACK_HASH_LABEL="org.gitpaas.stack-hash"
readonly ADDONS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/addons"
# name:tag of each add-on image, built from deploy/addons/<name>; the tag is
# the major version of what it runs (internal/addons/<name> names it too).
readonly ADDONS=(postgres:15 redis:7)

log() { echo "images: $*" >&2; }
die() { log "error: $*"; exit 1; }

tmpdirs=()
cleanup() {
  local d
  for d in "${tmpdirs[@]+"${tmpdirs[@]}"}"; do
    # debootstrap may leave /proc or /sys mounted when it is interrupted.
    umount -R "$d/proc" "$d/sys" 2>/dev/null || true
    rm -rf --one-file-system "$d"
  done
}
trap cleanup EXIT

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# apt_install installs Debian packages, refreshing the package lists once if
# the first attempt fails on stale lists.
apt_install() {
  log "apt-get install $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "$@" >&2 && return 0
  apt-get update >&2
  apt-get install -y --no-install-recommends "$@" >&2
}

# is_static reports whether the ELF file $1 has no program interpreter, i.e.
# runs in an image that has no libc.
is_static() {
  [[ -x "$1" ]] || return 1
  ! LC_ALL=C readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

static_busybox() {
  if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
    apt_install busybox-static
  fi
  local bin
  bin="$(dpkg-query -L busybox-static | grep -E '/s?bin/busybox$' | head -n1)"
  [[ -n "$bin" ]] && is_static "$bin" || die "busybox-static is installed but no static busybox binary was found"
  echo "$bin"
}

make_busybox() {
  if have_image "$BUSYBOX_IMAGE"; then
    log "$BUSYBOX_IMAGE exists; skipping"
    return
  fi
  local bin dir
  bin="$(static_busybox)"
  dir="$(mktemp -d)"
  tmpdirs+=("$dir")
  cp "$bin" "$dir/busybox"
  cat >"$dir/Dockerfile" <<EOF
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p /etc /root /tmp /www && chmod 1777 /tmp && echo root:x:0:0:root:/root:/bin/sh >/etc/passwd && echo nobody:x:65534:65534:nobody:/nonexistent:/bin/false >>/etc/passwd && echo root:x:0: >/etc/group && echo nogroup:x:65534: >>/etc/group"]
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL $BASE_LABEL
CMD ["sh"]
EOF
  log "building $BUSYBOX_IMAGE from $bin ($(dpkg-query -W -f='${Version}' busybox-static))"
  # The classic builder: Debian's docker.io has no buildx plugin.
  DOCKER_BUILDKIT=0 docker build --quiet -t "$BUSYBOX_IMAGE" "$dir" >&2
  log "made $BUSYBOX_IMAGE"
}

# debian_mirror prints the Debian mirror that apt uses for the bookworm suite,
# reading one-line sources (sources.list, *.list) and deb822 (*.sources).
debian_mirror() {
  if [[ -n "${DEBIAN_MIRROR:-}" ]]; then
    echo "$DEBIAN_MIRROR"
    return
  fi
  local f m=""
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    m="$(awk -v suite="$DEBIAN_SUITE" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f")"
    [[ -n "$m" ]] && break
  done
  if [[ -z "$m" ]]; then
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -r "$f" ]] || continue
      m="$(awk -v suite="$DEBIAN_SUITE" '
        BEGIN { RS = "" }
        {
          n = split($0, lines, "\n"); types = ""; uris = ""; suites = ""; enabled = "yes"
          for (j = 1; j <= n; j++) {
            if (lines[j] ~ /^[ \t]*#/) continue
            k = index(lines[j], ":"); if (k == 0) continue
            key = tolower(substr(lines[j], 1, k - 1)); val = " " substr(lines[j], k + 1) " "
            if (key == "types") types = val
            else if (key == "uris") uris = val
            else if (key == "suites") suites = val
            else if (key == "enabled") enabled = tolower(val)
          }
          if (types ~ / deb / && suites ~ (" " suite " ") && enabled !~ /no/) {
            split(uris, u, " "); print u[1]; exit
          }
        }' "$f")"
      [[ -n "$m" ]] && break
    done
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

make_debian() {
  if [[ "${PAAS_SKIP_DEBIAN_IMAGE:-}" == 1 ]]; then
    log "skipping $DEBIAN_IMAGE (PAAS_SKIP_DEBIAN_IMAGE=1)"
    return
  fi
  if have_image "$DEBIAN_IMAGE"; then
    log "$DEBIAN_IMAGE exists; skipping"
    return
  fi
  command -v debootstrap >/dev/null || apt_install debootstrap
  local mirror root
  mirror="$(debian_mirror)"
  # /var/tmp rather than /tmp: the root file system is ~150 MB and /tmp may
  # be a small tmpfs.
  root="$(mktemp -d /var/tmp/paas-debootstrap.XXXXXX)"
  tmpdirs+=("$root")
  log "debootstrap --variant=minbase $DEBIAN_SUITE from $mirror (a few minutes)"
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$root" "$mirror" >&2
  umount -R "$root/proc" "$root/sys" 2>/dev/null || true
  # Package caches only make the image bigger; apt-get update refills lists.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  log "importing $root as $DEBIAN_IMAGE"
  tar --numeric-owner -C "$root" -c . |
    docker import \
      --change "LABEL $BASE_LABEL" \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' \
      - "$DEBIAN_IMAGE" >&2
  log "made $DEBIAN_IMAGE"
}

# stack_base prints the image that the Dockerfile $1 builds on (its first FROM).
stack_base() {
  awk 'toupper($1) == "FROM" { print $2; exit }' "$1"
}

# stack_hash prints the hash of a stack: its directory's files, names and
# content, and the ID of its base image $2.
stack_hash() {
  local dir=$1 base_id=$2
  {
    (cd "$dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    echo "base $base_id"
  } | sha256sum | cut -c1-16
}

image_label() {
  docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true
}

# make_stack builds paas/stack-$1:1 from deploy/stacks/$1 unless an image
# with the same hash exists.
make_stack() {
  make_hashed_image "$STACKS_DIR/$1" "paas/stack-$1:$STACK_TAG"
}

# make_hashed_image builds image $2 from the directory $1 unless an image
# with the same hash exists.
make_hashed_image() {
  local dir=$1 image=$2
  [[ -f "$dir/Dockerfile" ]] || die "$dir/Dockerfile is missing"
  local base base_id hash
  base="$(stack_base "$dir/Dockerfile")"
  if ! have_image "$base"; then
    [[ "${PAAS_SKIP_DEBIAN_IMAGE:-}" == 1 ]] || die "$image builds on $base, which does not exist"
    log "skipping $image: its base $base does not exist (PAAS_SKIP_DEBIAN_IMAGE=1)"
    return
  fi
  base_id="$(docker image inspect -f '{{.Id}}' "$base")"
  hash="$(stack_hash "$dir" "$base_id")"
  if [[ "$(image_label "$image" "$STACK_HASH_LABEL")" == "$hash" ]]; then
    log "$image is up to date ($hash); skipping"
    return
  fi
  log "building $image ($hash) on $base"
  local start=$SECONDS old
  old="$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
  # The classic builder, as the platform's builder uses; its build output
  # goes to stderr, which keeps the apt-get output of a slow first build.
  DOCKER_BUILDKIT=0 docker build --pull=false \
    --label "$BASE_LABEL" --label "$STACK_HASH_LABEL=$hash" \
    -t "$image" "$dir" >&2
  # The old image goes unless app images still build on it.
  [[ -z "$old" ]] || docker image rm "$old" >/dev/null 2>&1 || true
  log "made $image in $((SECONDS - start))s"
}

make_stacks() {
  if [[ "${PAAS_SKIP_STACK_IMAGES:-}" == 1 ]]; then
    log "skipping the stack images (PAAS_SKIP_STACK_IMAGES=1)"
    return
  fi
  local name
  for name in "${STACKS[@]}"; do
    make_stack "$name"
  done
}

make_addons() {
  if [[ "${PAAS_SKIP_ADDON_IMAGES:-}" == 1 ]]; then
    log "skipping the add-on images (PAAS_SKIP_ADDON_IMAGES=1)"
    return
  fi
  local addon
  for addon in "${ADDONS[@]}"; do
    make_hashed_image "$ADDONS_DIR/${addon%%:*}" "paas/addon-$addon"
  done
}

main() {
  command -v docker >/dev/null || die "the docker CLI is not installed (apt-get install docker.io)"
  docker info >/dev/null 2>&1 ||
    die "the Docker Engine is not reachable; start it (dockerd >/tmp/dockerd.log 2>&1 &) and run again"
  make_busybox
  make_debian
  make_stacks
  make_addons
}

main "$@"
