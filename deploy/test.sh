#!/usr/bin/env bash
# test.sh installs what the tests need and runs every check: formatting, vet,
# a tidy go.mod, the dependency rules, then unit, integration and end-to-end
# tests against the real Docker Engine, Nomad, PostgreSQL and git.
# It is what `make test` and CI run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/deploy/lib.sh"
cd "$ROOT"

LOGS="${PAAS_TEST_LOGS:-${TMPDIR:-/tmp}/paas-test-logs}"
mkdir -p "$LOGS"

if [[ $(id -u) -eq 0 ]]; then
  # chromium: the console's browser tests (internal/e2e TestConsole), headless.
  apt_install git curl ca-certificates postgresql busybox-static docker.io debootstrap chromium
  ensure_docker "$LOGS"
else
  log "not root: using what is installed (integration tests skip what is missing unless CI=true)"
fi
need_go
PAAS_NOMAD_BIN="$(ensure_nomad)"
export PAAS_NOMAD_BIN
if docker info >/dev/null 2>&1; then
  ensure_base_images
fi

log "gofmt"
unformatted="$(gofmt -l $(git ls-files '*.go'))"
[[ -z $unformatted ]] || die "gofmt needed on: $unformatted"
log "go vet"
go vet ./...
log "go mod tidy is clean"
cp go.mod "$LOGS/go.mod.bak"; cp go.sum "$LOGS/go.sum.bak"
go mod tidy
if ! cmp -s go.mod "$LOGS/go.mod.bak" || ! cmp -s go.sum "$LOGS/go.sum.bak"; then
  cp "$LOGS/go.mod.bak" go.mod; cp "$LOGS/go.sum.bak" go.sum
  die "go.mod/go.sum are not tidy; run: go mod tidy"
fi

log "go test (unit, integration, end-to-end)"
go test -count=1 -p 2 -timeout 50m ./... 2>&1 | tee "$LOGS/go-test.log"
log "go test -race (router, and the zero-downtime rollout stress test)"
go test -count=1 -race -timeout 15m ./router/... ./internal/rollouttest/... 2>&1 | tee -a "$LOGS/go-test.log"
