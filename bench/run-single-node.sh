#!/usr/bin/env bash
# Single-node benchmark (docs/benchmarks.md): the trivial Kestrel endpoint (the ceiling) and an
# in-memory antietcd, both on loopback, measured in the same run by the same load generator:
# ceiling, put and range at 1, 16 and 64 keep-alive connections.
#
#   bench/run-single-node.sh                 # ~2 minutes after the build
#   DURATION=5 WARMUP=1 CONNECTIONS="16" bench/run-single-node.sh
#
# Results (one JSON per run, the servers' logs, machine.txt, table.md) go to
# artifacts/bench/single-node-<UTC time>/ or $OUT. Only loopback addresses are used.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

duration=${DURATION:-10}
warmup=${WARMUP:-2}
connections=${CONNECTIONS:-"1 16 64"}
workloads=${WORKLOADS:-"ceiling put range"}
out=${OUT:-$root/artifacts/bench/single-node-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"

# antietcd is needed (built, started) only when a workload other than the ceiling is asked for.
need_antietcd=0
for w in $workloads; do [ "$w" = ceiling ] || need_antietcd=1; done
projects="bench/AntiEtcd.LoadGen bench/AntiEtcd.Ceiling"
[ "$need_antietcd" = 1 ] && projects="$projects src/antietcd"

echo "== build (Release)"
for project in $projects; do
  dotnet build "$project" -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null || {
    echo "build of $project failed:"; dotnet build "$project" -c Release -nologo -clp:ErrorsOnly | tail -20; exit 1; }
done
loadgen=(dotnet "$root/bench/AntiEtcd.LoadGen/bin/Release/net10.0/AntiEtcd.LoadGen.dll")
ceiling_dll=$root/bench/AntiEtcd.Ceiling/bin/Release/net10.0/AntiEtcd.Ceiling.dll
antietcd_dll=$root/src/antietcd/bin/Release/net10.0/antietcd.dll

# A loopback port nobody listens on (bash's /dev/tcp connect fails on a free port).
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

pids=()
stop_all() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT

# Waits until POST url answers 200 (for antietcd: it has elected itself and serves reads).
wait_ready() {
  local name=$1 url=$2 pid=$3
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited before it was ready; its log:" >&2
      cat "$out/$name.log" >&2
      return 1
    fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"key":"cmVhZHk="}' "$url" || true)" = 200 ]; then
      return 0
    fi
    sleep 0.2
  done
  echo "$name not ready after 30 s; its log:" >&2
  cat "$out/$name.log" >&2
  return 1
}

ceiling_port=$(free_port)
dotnet "$ceiling_dll" --port "$ceiling_port" >"$out/ceiling.log" 2>&1 &
ceiling_pid=$!
pids+=("$ceiling_pid")
antietcd_port=none antietcd_pid=none
if [ "$need_antietcd" = 1 ]; then
  antietcd_port=$(free_port)
  while [ "$antietcd_port" = "$ceiling_port" ]; do antietcd_port=$(free_port); done
  # No --data: in memory. Everything else at its default (compact_revisions 1000, logs off).
  dotnet "$antietcd_dll" --port "$antietcd_port" >"$out/antietcd.log" 2>&1 &
  antietcd_pid=$!
  pids+=("$antietcd_pid")
fi
wait_ready ceiling "http://127.0.0.1:$ceiling_port/v3/kv/put" "$ceiling_pid"
[ "$need_antietcd" = 1 ] && wait_ready antietcd "http://127.0.0.1:$antietcd_port/v3/kv/range" "$antietcd_pid"
echo "ceiling on 127.0.0.1:$ceiling_port (pid $ceiling_pid), antietcd on 127.0.0.1:$antietcd_port (pid $antietcd_pid)"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ has uncommitted changes)')"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(free -h | awk '/^Mem:/ {print $2}')"
  echo "kernel: $(uname -sr)"
  echo "runtime: $(dotnet --list-runtimes | grep Microsoft.NETCore.App | tail -1 | cut -d' ' -f1-2)"
  echo "aspnetcore: $(dotnet --list-runtimes | grep Microsoft.AspNetCore.App | tail -1 | cut -d' ' -f1-2)"
  echo "sdk: $(dotnet --version)"
  echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "settings: duration ${duration}s, warmup ${warmup}s, connections '$connections', 1000 keys, 100-byte values"
} >"$out/machine.txt"
cat "$out/machine.txt"

echo "== runs"
for c in $connections; do
  for w in $workloads; do
    if [ "$w" = ceiling ]; then port=$ceiling_port pid=$ceiling_pid; else port=$antietcd_port pid=$antietcd_pid; fi
    "${loadgen[@]}" --url "http://127.0.0.1:$port" --workload "$w" --connections "$c" \
      --duration "$duration" --warmup "$warmup" --keys 1000 --value-size 100 \
      --server-pid "$pid" --out "$out/$(printf '%03d' "$c")-$w.json"
  done
done
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

echo "== results ($out)"
"${loadgen[@]}" --report "$out" | tee "$out/table.md"
