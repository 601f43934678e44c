#!/usr/bin/env bash
# stack-builds.sh measures how long the platform's builder takes to build the
# sample apps that have no Dockerfile, testdata/apps/{go,node,python,static},
# through builder.Build (bench/stackbuild), as a push would:
#
#   cold  the app's first build: no layer of it exists yet, only the stack
#         image. Each run salts the app's dependency manifest (go.mod,
#         package.json, requirements.txt; index.html for static, which has
#         none), so no layer of an earlier build can match.
#   warm  the build right after, of a commit that changes one source file
#         (main.go, server.js, app.py, index.html): the dependency steps come
#         from the cache, the source and what follows it do not.
#
# The classic builder, which the platform uses, caches in image layers, so
# salting is what makes a build cold. `docker builder prune` only clears
# BuildKit's cache, which the platform never fills, and that cache belongs
# to every user of the daemon, so this script does not run it. It never
# touches the stack or base images; the images it builds are tagged
# paas-bench/* and removed (with their untagged layers) after each run.
#
# Usage: bench/stack-builds.sh [runs]   (default 3; medians over the runs)
# Needs: docker, git, go, and the stack images (deploy/images.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-3}"
STACKS=(go node python static)

work="$(mktemp -d)"
# Every image of this run is in a repository of its own.
REPO="paas-bench-$$-$RANDOM"
cleanup() {
  docker images --format '{{.Repository}}:{{.Tag}}' | grep "^$REPO/" | xargs -r docker rmi -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

die() { echo "stack-builds: $*" >&2; exit 1; }

for s in "${STACKS[@]}"; do
  docker image inspect "paas/stack-$s:1" >/dev/null 2>&1 ||
    die "paas/stack-$s:1 is missing; make the stack images with deploy/images.sh"
done
(cd "$ROOT" && go build -o "$work/stackbuild" ./bench/stackbuild)

# source_of prints the file that a warm build changes.
source_of() {
  case $1 in
    go) echo main.go ;; node) echo server.js ;; python) echo app.py ;; static) echo index.html ;;
  esac
}

# salt_manifest makes the app's dependency manifest unique to this run.
salt_manifest() {
  local dir=$1 stack=$2 salt=$3
  case $stack in
    go) printf '\n// bench run %s\n' "$salt" >>"$dir/go.mod" ;;
    node) sed -i "s/\"description\": \"[^\"]*\"/\"description\": \"bench run $salt\"/" "$dir/package.json" ;;
    python) printf '# bench run %s\n' "$salt" >>"$dir/requirements.txt" ;;
    static) printf '<!-- bench run %s -->\n' "$salt" >>"$dir/index.html" ;;
  esac
}

# change_source appends a comment to the app's source file.
change_source() {
  local file="$1/$(source_of "$2")"
  case $2 in
    python) printf '\n# changed %s\n' "$3" >>"$file" ;;
    static) printf '<!-- changed %s -->\n' "$3" >>"$file" ;;
    *) printf '\n// changed %s\n' "$3" >>"$file" ;;
  esac
}

git_() { git -c user.name=bench -c user.email=bench@localhost -c init.defaultBranch=main "$@"; }

# commit commits the work tree and pushes it to the bare repository; it
# prints the commit hash.
commit() {
  local dir=$1 bare=$2
  git_ -C "$dir" add -A
  git_ -C "$dir" commit -q -m "bench"
  git_ -C "$dir" push -q "$bare" main
  git_ -C "$dir" rev-parse HEAD
}

# build builds a commit and prints the milliseconds it took.
build() {
  local bare=$1 hash=$2 tag=$3 log=$4
  "$work/stackbuild" -repo "$bare" -commit "$hash" -tag "$tag" -log "$log" ||
    { tail -n 30 "$log" >&2; die "building $tag failed"; }
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# measure sets COLD and WARM to the milliseconds of one run of a stack.
measure() {
  local stack=$1 run=$2 salt
  salt="$(date +%s%N)-$RANDOM"
  local dir="$work/$stack-$run" bare="$work/$stack-$run.git"
  cp -r "$ROOT/testdata/apps/$stack/." "$dir/"
  git_ init -q "$dir"
  git_ init -q --bare "$bare"
  salt_manifest "$dir" "$stack" "$salt"
  local hash image="$REPO/$stack"
  hash="$(commit "$dir" "$bare")"
  COLD="$(build "$bare" "$hash" "$image:cold-$run" "$dir.cold.log")"
  change_source "$dir" "$stack" "$salt"
  hash="$(commit "$dir" "$bare")"
  WARM="$(build "$bare" "$hash" "$image:warm-$run" "$dir.warm.log")"
  grep -q 'Using cache' "$dir.warm.log" || die "the warm build of $stack used no cache; see $dir.warm.log"
  # Removing the tags removes the layers of the two builds too.
  docker rmi -f "$image:cold-$run" "$image:warm-$run" >/dev/null
}

echo "builder.Build of each sample app, $RUNS runs each, in ms ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"
printf '%-7s  %-20s  %11s  %-20s  %11s\n' stack "cold runs" "cold median" "warm runs" "warm median"
for stack in "${STACKS[@]}"; do
  colds=() warms=()
  for run in $(seq 1 "$RUNS"); do
    measure "$stack" "$run"
    colds+=("$COLD") warms+=("$WARM")
  done
  printf '%-7s  %-20s  %11s  %-20s  %11s\n' "$stack" "${colds[*]}" "$(median "${colds[@]}")" "${warms[*]}" "$(median "${warms[@]}")"
done
