#!/usr/bin/env bash
# addon-create.sh measures the time from the start of `paas addons:create
# postgres` to the first answer of the app that went through DATABASE_URL:
# the add-on's job placed and healthy, the release with the var rolled out,
# the router serving it. The app is testdata/apps/addons without the
# add-on its app.yml declares, pushed once (not counted); each round
# creates a Postgres add-on, waits for /cgi-bin/pg?add=… to answer ok, then
# destroys the add-on (--force) for the next round.
#
# It needs a running platform with the add-on images (deploy/install.sh,
# which runs deploy/images.sh) and a logged-in paas CLI, or PAAS_API_URL +
# PAAS_TOKEN.
#
# Usage: bench/addon-create.sh [rounds]   (default 5)
# Env:   PAAS_ROUTER (default http://127.0.0.1:8080), PAAS_DOMAIN (localhost)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-5}"
ROUTER="${PAAS_ROUTER:-http://127.0.0.1:8080}"
DOMAIN="${PAAS_DOMAIN:-localhost}"
APP="bench-addon-$(date +%s)"
PORT="${ROUTER##*:}"

work="$(mktemp -d)"
cleanup() {
  paas addons:destroy "$APP-postgres" -a "$APP" --force --confirm "$APP-postgres" >/dev/null 2>&1 || true
  paas apps:destroy -a "$APP" --confirm "$APP" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

cp -r "$ROOT/testdata/apps/addons/." "$work/"
# The rounds add the add-on by hand: the push must not provision one.
sed -i '/^addons:/d' "$work/app.yml"
cd "$work"
git init -q -b main
git add -A
git -c user.name=bench -c user.email=bench@localhost commit -q -m init
paas apps:create "$APP" >/dev/null
echo "deploying $APP without an add-on (not counted)" >&2
git push -q paas main >/dev/null 2>"$work/push.err" || { cat "$work/push.err" >&2; exit 1; }

now_ms() { date +%s%3N; }

# first_ok_ms polls the app until path answers 200 "ok" and prints the
# milliseconds since start.
first_ok_ms() {
  local path=$1 start=$2
  for _ in $(seq 1 6000); do
    if [[ "$(curl -fsS -H "Host: $APP.$DOMAIN:$PORT" "$ROUTER$path" 2>/dev/null)" == ok ]]; then
      echo $(($(now_ms) - start))
      return 0
    fi
    sleep 0.01
  done
  echo timeout
  return 1
}

round() {
  local start created served
  start=$(now_ms)
  paas addons:create postgres -a "$APP" >"$work/create.out" 2>&1 || { cat "$work/create.out" >&2; exit 1; }
  created=$(($(now_ms) - start))
  served=$(first_ok_ms "/cgi-bin/pg?add=round$1" "$start")
  paas addons:destroy "$APP-postgres" -a "$APP" --force --confirm "$APP-postgres" >/dev/null
  echo "$created $served"
}

echo "round  addons:create-returned-ms  first-200-through-DATABASE_URL-ms"
results=()
for i in $(seq 1 "$N"); do
  read -r created served < <(round "$i")
  printf '%5d  %24s  %33s\n' "$i" "$created" "$served"
  results+=("$served")
done
median=$(printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "median addons:create-to-serving: ${median} ms over $N rounds"
