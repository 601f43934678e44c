#!/usr/bin/env bash
# rollback.sh measures how long `paas releases:rollback` takes to put the
# previous release back in front of users while it is still warm (it lost
# the traffic less than --keep-warm ago), next to the time of a blue-green
# push of the same app for comparison: a rollback that had to start the old
# release again would take about as long as a push.
#
# For each rollback it prints the milliseconds from the start of the command
# to the router's first answer from the rolled-back release, and the time
# the command took (it also starts the rollback release, which then takes
# over from the warm one without a visible change).
#
# It needs a running platform (deploy/install.sh) and a logged-in paas CLI,
# or PAAS_API_URL + PAAS_TOKEN.
#
# Usage: bench/rollback.sh [rollbacks]   (default 7)
# Env:   PAAS_ROUTER (default http://127.0.0.1:8080), PAAS_DOMAIN (localhost)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-7}"
ROUTER="${PAAS_ROUTER:-http://127.0.0.1:8080}"
DOMAIN="${PAAS_DOMAIN:-localhost}"
APP="rollback-$(date +%s)"
PORT="${ROUTER##*:}"

work="$(mktemp -d)"
cleanup() { paas apps:destroy -a "$APP" --confirm "$APP" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

cp -r "$ROOT/testdata/apps/hello-dockerfile/." "$work/"
cd "$work"
git init -q -b main
paas apps:create "$APP" >/dev/null

now_ms() { date +%s%3N; }
page() { curl -fsS --max-time 2 -H "Host: $APP.$DOMAIN:$PORT" "$ROUTER/" 2>/dev/null || true; }
# first_ms polls the router until the page is want, and prints the elapsed
# milliseconds since start.
first_ms() {
  local want=$1 start=$2
  for _ in $(seq 1 5000); do
    if [ "$(page)" = "$want" ]; then echo $(( $(now_ms) - start )); return 0; fi
  done
  echo "timeout"; return 1
}
push() {
  echo "$1" > www/index.html
  git add -A && git -c user.name=bench -c user.email=bench@localhost commit -q -m "$1"
  local start; start=$(now_ms)
  git push -q paas main >/dev/null 2>"$work/push.err" || { cat "$work/push.err" >&2; exit 1; }
  first_ms "$1" "$start"
}

echo "first push (not counted): $(push blue) ms" >&2
green_ms=$(push green)
echo "blue-green push of v2, start of git push to first answer from v2: $green_ms ms"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
echo "rollback  serving-page  first-answer-ms  command-ms"
firsts=()
cmds=()
serving=green
for i in $(seq 1 "$N"); do
  # Each rollback goes back to the release that served before the current
  # one: blue, green, blue, … and that one is always still warm.
  if [ "$serving" = green ]; then want=blue; else want=green; fi
  start=$(now_ms)
  paas releases:rollback -a "$APP" >"$work/rollback.out" 2>&1 &
  cmd=$!
  first=$(first_ms "$want" "$start")
  wait "$cmd" || { cat "$work/rollback.out" >&2; exit 1; }
  took=$(( $(now_ms) - start ))
  printf '%8d  %12s  %15s  %10s\n' "$i" "$want" "$first" "$took"
  firsts+=("$first"); cmds+=("$took")
  serving=$want
done
echo
echo "median first answer from the rolled-back release: $(printf '%s\n' "${firsts[@]}" | median) ms"
echo "median rollback command (it also starts the rollback release): $(printf '%s\n' "${cmds[@]}" | median) ms"
echo "a blue-green push of the same app, for comparison: $green_ms ms"
