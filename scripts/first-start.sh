#!/bin/bash
# A newcomer's first start, timed (docs/benchmarks.md "First start"): a fresh clone of this checkout's
# HEAD, `npm ci`, then `npm start` with an empty Go module cache, Go build cache and binary cache,
# and a second (cached) `npm start`. For each start it notes, in seconds from `npm start`: the banner
# (admission up), the sample TaskRun first admitted (`kubectl apply` every 2 s), the log line
# `workloads ready`, and the run `Succeeded`. Runs for minutes and compiles all the while: start it in
# the background and read OUT/times. Usage: scripts/first-start.sh [OUT] (default /tmp/first-start-out);
# KEEP_CACHES=1 uses the caches of the environment instead of empty ones (a quick check of the script).
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/first-start-out}
clone=$(mktemp -d)/fresh-start
rm -rf "$out" && mkdir -p "$out"
git clone -q "$repo" "$clone" && cd "$clone" || exit 1
git log --oneline -1 >"$out/commit"
if [ -z "${KEEP_CACHES:-}" ]; then
  GOCACHE=$(mktemp -d) GOMODCACHE=$(mktemp -d) ORCHESTRATOR_CACHE_DIR=$(mktemp -d)
  export GOCACHE GOMODCACHE ORCHESTRATOR_CACHE_DIR
fi
cache=${ORCHESTRATOR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/orchestrator}
env | grep -E '^(GOCACHE|GOMODCACHE|ORCHESTRATOR_CACHE_DIR)=' >"$out/env"
{ nproc; uptime; } >"$out/machine"

t0=$(date +%s.%N)
since() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }'; }
mark() { echo "$(since) s: $*" | tee -a "$out/times"; }
npm ci >"$out/npm-ci.log" 2>&1
mark "npm ci"

# One `npm start`, timed into $out/$1 until the run has succeeded (or failed), then stopped.
timed_start() {
  local dir=$out/$1 pid kc cp phase workloads=''
  mkdir -p "$dir"
  echo "--- $1 start" >>"$out/times"
  t0=$(date +%s.%N)
  npm start >"$dir/start.out" 2>"$dir/start.err" &
  pid=$!
  until grep -q 'export KUBECONFIG=' "$dir/start.err"; do
    kill -0 "$pid" 2>/dev/null || { mark "npm start exited"; return 1; }
    sleep 1
  done
  mark "banner: admission up"
  kc=$(grep -o 'export KUBECONFIG=[^ ]*' "$dir/start.err" | head -1 | cut -d= -f2)
  # shellcheck disable=SC2012 # the newest: a kept cache may hold binaries of older modules
  cp=$(ls -t "$cache"/control-plane/*/control-plane | head -1)
  until "$cp" kubectl --kubeconfig "$kc" apply -f config/samples/taskrun.yaml >>"$dir/apply.log" 2>&1; do
    sleep 2
  done
  mark "sample TaskRun admitted"
  while :; do
    if [ -z "$workloads" ] && grep -q 'workloads ready' "$dir/start.out"; then
      workloads=1
      mark "log: workloads ready"
    fi
    phase=$("$cp" kubectl --kubeconfig "$kc" get otr payments-task-7 -o jsonpath='{.status.phase}' 2>/dev/null)
    # What the run says while it waits, every 30 s.
    if [ $(($(since) % 30)) -lt 2 ]; then
      echo "t=$(since) $("$cp" kubectl --kubeconfig "$kc" get otr payments-task-7 -o jsonpath='{.status.message}' 2>&1)" >>"$dir/status.log"
    fi
    case "$phase" in
      Succeeded | Failed) mark "run $phase" && break ;;
    esac
    kill -0 "$pid" 2>/dev/null || { mark "npm start exited"; return 1; }
    sleep 2
  done
  # npm does not pass the signal on: stop the manager itself, which stops its control plane.
  for p in $(pgrep -f 'bin/orchestrator.js run'); do
    [ "$(readlink "/proc/$p/cwd")" = "$clone" ] && kill -INT "$p"
  done
  wait "$pid" # npm's status after the signal says nothing
  return 0
}

timed_start cold && timed_start cached
uptime >>"$out/machine"
[ -n "${KEEP_CACHES:-}" ] || { chmod -R u+w "$GOMODCACHE" && rm -rf "$GOCACHE" "$GOMODCACHE" "$ORCHESTRATOR_CACHE_DIR"; }
rm -rf "$(dirname "$clone")"
echo "done" >>"$out/times"
