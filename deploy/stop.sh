#!/usr/bin/env bash
# stop.sh stops paas-router, paasd, the Nomad agent and PostgreSQL started by
# install.sh. Data stays in PAAS_DATA_DIR; install.sh starts it all again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/deploy/lib.sh"
DATA="${PAAS_DATA_DIR:-/var/lib/paas}"
stop_pidfile "$DATA/run/paas-router.pid"
stop_pidfile "$DATA/run/paasd.pid"
stop_pidfile "$DATA/run/nomad.pid"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [[ -f $DATA/postgres/data/PG_VERSION ]]; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DATA/postgres/data" -m fast stop >/dev/null 2>&1 || true
fi
echo "stopped; start again with: deploy/install.sh"
