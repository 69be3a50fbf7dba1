#!/usr/bin/env bash
# Watch fan-out benchmark (docs/benchmarks.md, "Watch fan-out"): an in-memory antietcd, many
# WebSocket watchers on one prefix, puts under that prefix at a fixed rate (open loop); events
# delivered per second, delivery latency (put sent -> event received) and a per-watch loss check.
# A fresh server for every run.
#
#   bench/run-watch.sh                   # ~2 minutes after the build
#   SHAPES="100x10" RATES="200" DURATION=5 bench/run-watch.sh
#
# Knobs: SHAPES (connections x watches per connection, "1000x1 100x10"), RATES (puts/s,
# "50 200 1000"), DURATION (s, 10), WARMUP (s, 2), DRAIN (s, 15: how long late events are waited
# for before they count as lost), ANTIETCD_SOURCE (head: build src/antietcd from a clean
# `git archive HEAD`; worktree: the working tree), OUT (default artifacts/bench/watch-<UTC>/).
# Only loopback addresses are used; every server started here is stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

shapes=${SHAPES:-"1000x1 100x10"}
rates=${RATES:-"50 200 1000"}
duration=${DURATION:-10}
warmup=${WARMUP:-2}
drain=${DRAIN:-15}
source_kind=${ANTIETCD_SOURCE:-head}
out=${OUT:-$root/artifacts/bench/watch-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out/runs"
out=$(cd "$out" && pwd)

echo "== build (Release)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
build_quiet bench/AntiEtcd.WatchBench
watchbench=(dotnet "$root/bench/AntiEtcd.WatchBench/bin/Release/net10.0/AntiEtcd.WatchBench.dll")
build_antietcd "$source_kind"
# Watch runs stop an in-memory server: 30 s is plenty before SIGKILL.
stop_wait_tenths=300

trap stop_server EXIT

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "antietcd: $built_from, in memory"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(free -h | awk '/^Mem:/ {print $2}')"
  echo "kernel: $(uname -sr)"
  echo "runtime: $(dotnet --list-runtimes | grep Microsoft.NETCore.App | tail -1 | cut -d' ' -f1-2)"
  echo "open files limit: $(ulimit -n)"
  echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "settings: shapes '$shapes', rates '$rates', duration ${duration}s, warmup ${warmup}s, drain ${drain}s, 100-byte values, 100 keys"
} >"$out/machine.txt"
cat "$out/machine.txt"

echo "== runs"
for rate in $rates; do
  for shape in $shapes; do
    conns=${shape%x*}
    per=${shape#*x}
    name=$(printf '%05d-%04dx%04d' "$rate" "$conns" "$per")
    port=$(free_port)
    dotnet "$antietcd_dll" --port "$port" >"$out/antietcd-$name.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 300); do
      [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"key":"cmVhZHk="}' "http://127.0.0.1:$port/v3/kv/range" || true)" = 200 ] && break
      kill -0 "$server_pid" 2>/dev/null || { cat "$out/antietcd-$name.log"; exit 1; }
      sleep 0.1
    done
    echo "-- $conns x $per watchers, $rate puts/s (antietcd pid $server_pid, port $port)"
    "${watchbench[@]}" --url "http://127.0.0.1:$port" --connections "$conns" --watches-per-connection "$per" \
      --rate "$rate" --duration "$duration" --warmup "$warmup" --drain "$drain" \
      --server-pid "$server_pid" --label "$shape@$rate" --out "$out/runs/$name.json" || echo "run failed (exit $?)"
    stop_server
  done
done
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

echo "== results ($out)"
"${watchbench[@]}" --report "$out/runs" | tee "$out/table.md"
