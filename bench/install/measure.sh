#!/usr/bin/env bash
# What compiling better-sqlite3 costs a fresh install, on the Node.js first on PATH: `npm ci`
# with every install script, `npm ci --ignore-scripts` (no native build), and better-sqlite3's
# own install script alone (prebuilt binary if one can be downloaded, else a node-gyp compile).
# For a downloaded Node.js, put its bin/ first on PATH and set npm_config_nodedir to it.
# The figures in docs/runtime.md come from here; not part of CI or `npm run bench`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ferry-install.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
git clone -q "$ROOT" "$WORK/repo"
cd "$WORK/repo"

echo "Node.js $(node --version) (ABI $(node -p process.versions.modules)), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
TIMEFORMAT='%R s wall, %U s user + %S s sys CPU'
measure() {
  local label="$1"
  shift
  printf '%-44s ' "$label:"
  { time "$@" >"$WORK/out.log" 2>&1 || { cat "$WORK/out.log" >&2; exit 1; }; } 2>&1
}
measure 'npm ci' npm ci --no-audit --no-fund
rm -rf node_modules
measure 'npm ci --ignore-scripts' npm ci --no-audit --no-fund --ignore-scripts
measure 'better-sqlite3 install script alone' npm rebuild better-sqlite3 --foreground-scripts
node -e "const D = require('better-sqlite3'); new D(':memory:').close()"
if grep -q 'ENOTFOUND\|ECONNREFUSED\|ETIMEDOUT\|404' "$WORK/out.log"; then
  echo '(no prebuilt binary could be downloaded here, so that was a node-gyp compile)'
fi
