#!/usr/bin/env bash
# push-to-serving.sh measures the time from the start of `git push` to the
# first 200 from the router that comes from the new release, for a small
# Dockerfile app with a warm build cache. It needs a running platform
# (deploy/install.sh) and a logged-in paas CLI, or PAAS_API_URL + PAAS_TOKEN.
#
# Usage: bench/push-to-serving.sh [pushes]   (default 7)
# Env:   PAAS_ROUTER (default http://127.0.0.1:8080), PAAS_DOMAIN (localhost)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-7}"
ROUTER="${PAAS_ROUTER:-http://127.0.0.1:8080}"
DOMAIN="${PAAS_DOMAIN:-localhost}"
APP="bench-$(date +%s)"
PORT="${ROUTER##*:}"

work="$(mktemp -d)"
cleanup() { paas apps:destroy -a "$APP" --confirm "$APP" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

cp -r "$ROOT/testdata/apps/hello-dockerfile/." "$work/"
cd "$work"
git init -q -b main
git -c user.name=bench -c user.email=bench@localhost commit -q --allow-empty -m init
paas apps:create "$APP" >/dev/null

now_ms() { date +%s%3N; }
# serving_ms polls the router until the page carries marker, and prints the
# elapsed milliseconds since start.
serving_ms() {
  local marker=$1 start=$2
  for _ in $(seq 1 3000); do
    if curl -fsS -H "Host: $APP.$DOMAIN:$PORT" "$ROUTER/" 2>/dev/null | grep -q "$marker"; then
      echo $(( $(now_ms) - start )); return 0
    fi
    sleep 0.01
  done
  echo "timeout"; return 1
}

push() {
  local marker="push-$1-$RANDOM"
  echo "$marker" > www/index.html
  git add -A && git -c user.name=bench -c user.email=bench@localhost commit -q -m "$marker"
  local start; start=$(now_ms)
  git push -q paas main >/dev/null 2>"$work/push.err" || { cat "$work/push.err" >&2; exit 1; }
  local pushed=$(( $(now_ms) - start ))
  local served; served=$(serving_ms "$marker" "$start")
  echo "$pushed $served"
}

echo "warming the build cache (first push, not counted)" >&2
push 0 >/dev/null
echo "push  git-push-returned-ms  first-200-from-new-release-ms"
results=()
for i in $(seq 1 "$N"); do
  read -r pushed served < <(push "$i")
  printf '%4d  %20s  %29s\n' "$i" "$pushed" "$served"
  results+=("$served")
done
median=$(printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "median push-to-serving: ${median} ms over $N pushes (goal: <= 5000 ms)"
