#!/usr/bin/env bash
# Durable put benchmark (docs/benchmarks.md, "Durable put"): in-memory, durable (--data, fsync per
# group commit) and --persist_interval 10 antietcd, each on a fresh data directory, preloaded with
# 10,000 and 1,000,000 keys, then put to random keys of that set at 16 and 64 connections; the
# disk's write+fsync latency; and a restart test with 1,000,000 keys (time to the first successful
# range, RSS against the raw data size).
#
#   bench/run-durable.sh                 # ~6 minutes after the build
#   DURATION=5 KEYS="10000" MODES="memory durable" STARTUP=0 bench/run-durable.sh
#
# Knobs: DURATION (s, 10), WARMUP (s, 2), CONNECTIONS ("16 64"), KEYS ("10000 1000000"),
# MODES ("memory durable persist10"), STARTUP (1: run the restart test), STARTUP_KEYS (1000000),
# EXTRA_ARGS (more antietcd options for the put runs' servers, e.g. "--snapshot_entries 100000000"),
# NODE_ENV (VAR=value words set for every antietcd only, e.g. "DOTNET_GCgen0size=0x4000000"),
# ANTIETCD_SOURCE (head: build src/antietcd from a clean `git archive HEAD`, so edits in progress in
# the working tree do not leak in; worktree: build the working tree), OUT (result directory,
# default artifacts/bench/durable-<UTC>/; data directories go below it, so it must be on the disk
# you want to measure, not tmpfs). Only loopback addresses are used; every server started here is
# stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

duration=${DURATION:-10}
warmup=${WARMUP:-2}
connections=${CONNECTIONS:-"16 64"}
keysets=${KEYS:-"10000 1000000"}
modes=${MODES:-"memory durable persist10"}
startup=${STARTUP:-1}
startup_keys=${STARTUP_KEYS:-1000000}
source_kind=${ANTIETCD_SOURCE:-head}
extra_args=${EXTRA_ARGS:-}
node_env=${NODE_ENV:-}
out=${OUT:-$root/artifacts/bench/durable-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out/runs"
out=$(cd "$out" && pwd)

echo "== build (Release)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
build_quiet bench/AntiEtcd.LoadGen
loadgen=(dotnet "$root/bench/AntiEtcd.LoadGen/bin/Release/net10.0/AntiEtcd.LoadGen.dll")
build_antietcd "$source_kind"

trap stop_server EXIT

# start_server NAME PORT [antietcd options...]: starts antietcd in the background (server_pid).
start_server() {
  local name=$1 port=$2
  shift 2
  env $node_env dotnet "$antietcd_dll" --port "$port" "$@" > >(stamp >"$out/$name.log") 2>&1 &
  server_pid=$!
}

# wait_range PORT KEY64 NAME: polls a range of KEY64 every 10 ms until it answers 200 with kvs (60 s at most).
wait_range() {
  local port=$1 key=$2 name=$3 code
  for _ in $(seq 1 3000); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "$name exited before it was ready; its log:" >&2
      cat "$out/$name.log" >&2
      return 1
    fi
    code=$(curl -s -o "$out/range.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -d "{\"key\":\"$key\"}" "http://127.0.0.1:$port/v3/kv/range" || true)
    if [ "$code" = 200 ] && grep -q '"kvs"' "$out/range.out"; then
      return 0
    fi
    sleep 0.01
  done
  echo "$name: no successful range after 60 s" >&2
  return 1
}

# wait_ok PORT NAME: waits until a range answers 200 (the node has elected itself), 30 s at most.
wait_ok() {
  local port=$1 name=$2
  for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "$name exited before it was ready; its log:" >&2
      cat "$out/$name.log" >&2
      return 1
    fi
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"key":"cmVhZHk="}' "http://127.0.0.1:$port/v3/kv/range" || true)" = 200 ] && return 0
    sleep 0.1
  done
  echo "$name not ready after 30 s" >&2
  return 1
}
mode_args() {
  case $1 in
    memory) ;;
    durable) echo "--data $2" ;;
    persist10) echo "--data $2 --persist_interval 10" ;;
    *) echo "unknown mode $1" >&2; exit 2 ;;
  esac
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "antietcd: $built_from"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(free -h | awk '/^Mem:/ {print $2}')"
  echo "kernel: $(uname -sr)"
  echo "runtime: $(dotnet --list-runtimes | grep Microsoft.NETCore.App | tail -1 | cut -d' ' -f1-2)"
  echo "data filesystem: $(df -T "$out" | awk 'NR==2 {print $1, $2}')"
  echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "settings: duration ${duration}s, warmup ${warmup}s, connections '$connections', keys '$keysets', modes '$modes', 100-byte values, extra server args '$extra_args', node env '$node_env'"
} >"$out/machine.txt"
cat "$out/machine.txt"

echo "== fsync cost of the data disk (5 s of 4 KiB append + fsync, one at a time)"
"${loadgen[@]}" --fsync-probe "$out" --duration 5 | tee "$out/fsync.txt"

echo "== put runs"
for keys in $keysets; do
  for mode in $modes; do
    name=$mode-$keys
    dir=$out/data-$name
    rm -rf "$dir"
    port=$(free_port)
    # shellcheck disable=SC2046 # mode_args is a word list on purpose
    start_server "$name" "$port" $(mode_args "$mode" "$dir") $extra_args
    wait_ok "$port" "$name"
    echo "-- $name on 127.0.0.1:$port (pid $server_pid)"
    "${loadgen[@]}" --url "http://127.0.0.1:$port" --keys "$keys" --value-size 100 --connections 16 --preload-only 2>&1 | tee -a "$out/preload.txt"
    for c in $connections; do
      "${loadgen[@]}" --url "http://127.0.0.1:$port" --workload put --connections "$c" \
        --duration "$duration" --warmup "$warmup" --keys "$keys" --value-size 100 \
        --server-pid "$server_pid" --label "$mode" --out "$out/runs/$(printf '%07d-%03d' "$keys" "$c")-$mode.json"
    done
    [ -d "$dir" ] && echo "$name: data directory $(du -sh "$dir" | cut -f1)" | tee -a "$out/preload.txt"
    stop_server
    rm -rf "$dir"
  done
done

if [ "$startup" = 1 ]; then
  echo "== restart with $startup_keys keys (durable)"
  name=startup
  dir=$out/data-startup
  rm -rf "$dir"
  port=$(free_port)
  start_server "$name-fill" "$port" --data "$dir"
  wait_ok "$port" "$name-fill"
  "${loadgen[@]}" --url "http://127.0.0.1:$port" --keys "$startup_keys" --value-size 100 --connections 16 --preload-only 2>&1 | tee "$out/startup.txt"
  last_key=$(printf 'bench/key/%06d' $((startup_keys - 1)) | base64)
  raw=$((startup_keys * (16 + 100)))

  # restart_case LABEL: stops the server gracefully, restarts it on the same directory and times
  # process start -> first successful range of the last preloaded key; RSS then and 5 s later.
  restart_case() {
    local label=$1 t0 t1 rss peak rss5
    stop_server
    echo "-- $label: data directory $(du -sb "$dir" | cut -f1) bytes ($(ls "$dir"/snap 2>/dev/null | wc -l) snapshot files); raw keys+values $raw bytes" | tee -a "$out/startup.txt"
    sync
    t0=$EPOCHREALTIME
    start_server "$name-$label" "$port" --data "$dir"
    wait_range "$port" "$last_key" "$name-$label"
    t1=$EPOCHREALTIME
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status")
    peak=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")
    sleep 5
    rss5=$(awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status")
    awk -v t0="$t0" -v t1="$t1" -v rss="$rss" -v peak="$peak" -v rss5="$rss5" -v raw="$raw" -v label="$label" 'BEGIN {
      printf "%s: first successful range %.3f s after process start; VmRSS %.0f MiB (%.2fx raw), 5 s later %.0f MiB (%.2fx raw), peak VmHWM %.0f MiB\n",
        label, t1 - t0, rss / 1024, rss * 1024 / raw, rss5 / 1024, rss5 * 1024 / raw, peak / 1024 }' | tee -a "$out/startup.txt"
    awk -v t0="$t0" '{ printf "   +%.3f s  %s\n", $1 - t0, substr($0, index($0, " ") + 1) }' "$out/$name-$label.log" | tee -a "$out/startup.txt"
  }

  # Case 1: the whole store is in the WAL (the preload wrote fewer entries than --snapshot_entries).
  restart_case wal-only
  # Case 2: enough single puts for snapshots to exist, so start-up loads a snapshot plus a WAL tail.
  "${loadgen[@]}" --url "http://127.0.0.1:$port" --workload put --connections 64 --duration 5 --warmup 0 \
    --keys "$startup_keys" --value-size 100 --label after-restart | tee -a "$out/startup.txt"
  restart_case snapshot
  stop_server
  rm -rf "$dir"
fi
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

echo "== results ($out)"
"${loadgen[@]}" --report-modes "$out/runs" | tee "$out/table.md"
