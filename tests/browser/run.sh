#!/usr/bin/env bash
# Runs the studio's browser scenario from the build dir (CTest: studio.browser).
#   run.sh NPM NODE DIR -- [SCRIPT.mjs] args...   (default scenario.mjs)
# DIR is the build dir's copy of tests/browser (package.json, package-lock.json, the scripts).
# node_modules is installed there with `npm ci` when it is missing or stale (the lock file
# changed since the last install), so the source tree stays clean and each build dir has its own.
set -euo pipefail
npm=$1 node=$2 dir=$3
shift 3
[[ ${1:-} == -- ]] && shift
cd "$dir"
stamp=node_modules/.signage-lock
if [[ ! -f $stamp ]] || ! cmp -s package-lock.json "$stamp"; then
  echo "studio.browser: npm ci in $dir (node_modules missing or stale)"
  "$npm" ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
script=scenario.mjs
if [[ ${1:-} == *.mjs ]]; then script=$1; shift; fi
exec "$node" "$script" "$@"
