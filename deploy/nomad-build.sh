#!/usr/bin/env bash
# nomad-build.sh builds the Nomad agent at a pinned version from the Go module
# proxy and caches the binary outside the checkout, keyed by version. A second
# run finds the cached binary and returns at once.
#
# Usage: deploy/nomad-build.sh            prints the path of the cached binary
# Env:   NOMAD_VERSION    (default 1.11.1)
#        NOMAD_API_VERSION pseudo-version of nomad/api matching the agent
#        PAAS_CACHE_DIR   (default /var/cache/paas)
set -euo pipefail

NOMAD_VERSION="${NOMAD_VERSION:-1.11.1}"
NOMAD_API_VERSION="${NOMAD_API_VERSION:-v0.0.0-20251216171439-1dee0671280e}"
CACHE_DIR="${PAAS_CACHE_DIR:-/var/cache/paas}"
out="$CACHE_DIR/nomad/$NOMAD_VERSION/nomad"

if [[ -x "$out" ]]; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || { echo "nomad-build: go is not installed; install Go 1.24+ first" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "nomad-build: building Nomad $NOMAD_VERSION (about 12 minutes on 2 cores, once)" >&2
export GOFLAGS=-mod=mod
go mod download -json "github.com/hashicorp/nomad@v$NOMAD_VERSION" >"$work/dl.json"
src="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$work/dl.json")"
cp -r "$src" "$work/nomad"
chmod -R u+w "$work/nomad"
cd "$work/nomad"
# The module's go.mod points nomad/api at ./api, which the proxy's zip leaves
# out of reach; require the matching published pseudo-version instead.
go mod edit -dropreplace github.com/hashicorp/nomad/api \
  -require "github.com/hashicorp/nomad/api@$NOMAD_API_VERSION"
go mod download >&2 || true
CGO_ENABLED=1 go build -trimpath -o "$work/nomad-bin" . >&2
mkdir -p "$(dirname "$out")"
mv "$work/nomad-bin" "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
