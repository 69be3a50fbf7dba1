#!/usr/bin/env bash
# Three-node cluster benchmark (docs/benchmarks.md, "Three-node cluster"): durable put through the
# leader and through a follower at 16 and 64 connections beside a single durable node (same run,
# interleaved), linearizable and serializable range through the leader and a follower, and the
# failover time after kill -9 of the leader (kill -> next acknowledged put through a survivor),
# repeated, restarting the killed node each time and waiting for it to rejoin.
#
#   bench/run-cluster.sh                        # ~10 minutes after the build
#   REPEATS=1 DURATION=5 FAILOVERS=3 bench/run-cluster.sh
#
# Knobs: DURATION (s, 10), WARMUP (s, 2), CONNECTIONS (put, "16 64"), RANGE_CONNECTIONS ("16"),
# REPEATS (3: every point is run this many times, interleaved, and the table shows medians),
# FAILOVERS (10), WARM (s, 8: one unmeasured put run per target before round 1, so that no
# measured round pays for the JIT's tier-up, which three cluster processes do three times), KEYS (1000), PROBE_TIMEOUT (s, 2: curl's limit on one put of the failover
# probe), EXTRA_ARGS (more options for every antietcd), NODE_ENV (VAR=value words set for every
# antietcd only, not for the load generator: runtime knobs for experiments), ANTIETCD_SOURCE (head: clean `git archive
# HEAD` build; worktree: the working tree), OUT (result directory, default
# artifacts/bench/cluster-<UTC>/; data directories go below it, so it must be on the disk you want
# to measure). Only loopback addresses are used; every server started here is stopped by PID and
# the data directories and the cluster key are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

duration=${DURATION:-10}
warmup=${WARMUP:-2}
connections=${CONNECTIONS:-"16 64"}
range_connections=${RANGE_CONNECTIONS-"16"}
repeats=${REPEATS:-3}
failovers=${FAILOVERS:-10}
warm=${WARM:-8}
keys=${KEYS:-1000}
probe_timeout=${PROBE_TIMEOUT:-2}
source_kind=${ANTIETCD_SOURCE:-head}
extra_args=${EXTRA_ARGS:-}
node_env=${NODE_ENV:-}
out=${OUT:-$root/artifacts/bench/cluster-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out/runs"
out=$(cd "$out" && pwd)

echo "== build (Release)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
build_quiet bench/AntiEtcd.LoadGen
loadgen=(dotnet "$root/bench/AntiEtcd.LoadGen/bin/Release/net10.0/AntiEtcd.LoadGen.dll")
build_antietcd "$source_kind"

# Node i (1..3) of the cluster: node_pid[i], node_port[i]; n0 is the single durable node.
declare -a node_pid node_port
for i in 0 1 2 3; do node_pid[i]=""; node_port[i]=$(free_port); done
cluster="n1=http://127.0.0.1:${node_port[1]},n2=http://127.0.0.1:${node_port[2]},n3=http://127.0.0.1:${node_port[3]}"
key_file=$out/cluster.key
(umask 077; head -c 24 /dev/urandom | base64 >"$key_file")

# start_node I: starts node I in the background on its data directory (node_pid[I]); I = 0 is the
# single node.
start_node() {
  local i=$1
  if [ "$i" = 0 ]; then
    # shellcheck disable=SC2086 # EXTRA_ARGS is a word list on purpose
    env $node_env dotnet "$antietcd_dll" --port "${node_port[0]}" --data "$out/data-n0" $extra_args > >(stamp >>"$out/n0.log") 2>&1 &
  else
    # shellcheck disable=SC2086
    env $node_env dotnet "$antietcd_dll" --node_id "n$i" --cluster "$cluster" --cluster_key_file "$key_file" \
      --data "$out/data-n$i" $extra_args > >(stamp >>"$out/n$i.log") 2>&1 &
  fi
  node_pid[i]=$!
}

# stop_node I: SIGTERM, bounded wait, then SIGKILL (stop_server of lib.sh on that PID).
stop_node() {
  server_pid=${node_pid[$1]}
  stop_server
  node_pid[$1]=""
}

cleanup() {
  for i in 3 2 1 0; do stop_node "$i"; done
  rm -rf "$out"/data-n? "$key_file"
}
trap cleanup EXIT

# status I: node I's /v3/maintenance/status body (empty if it does not answer within 1 s).
status() { curl -s -m 1 -X POST -d '{}' "http://127.0.0.1:${node_port[$1]}/v3/maintenance/status" || true; }
# field NAME: a string field of the status body on stdin.
field() { { grep -o "\"$1\":\"[^\"]*\"" || true; } | head -1 | cut -d'"' -f4; }

# find_leader [NEED]: waits until one node says leader and NEED nodes (default 3, the leader
# included) name it as leader; sets leader, survivors (the other two) and follower (the
# lower-numbered of them).
find_leader() {
  local need=${1:-3} i s state lead agree
  for _ in $(seq 1 300); do
    leader=""; agree=0; lead=()
    for i in 1 2 3; do
      s=$(status "$i")
      lead[i]=$(field leaderNodeId <<<"$s")
      [ "$(field raftState <<<"$s")" = leader ] && leader=$i
    done
    if [ -n "$leader" ]; then
      for i in 1 2 3; do [ "${lead[i]}" = "n$leader" ] && agree=$((agree + 1)); done
      if [ "$agree" -ge "$need" ]; then
        survivors=""
        for i in 1 2 3; do [ "$i" != "$leader" ] && survivors="$survivors $i"; done
        follower=${survivors# }; follower=${follower%% *}
        return 0
      fi
    fi
    sleep 0.1
  done
  echo "no leader named by $need nodes after 30 s" >&2
  return 1
}

# wait_put PORT: polls a put until it answers 200 (30 s at most).
wait_put() {
  for _ in $(seq 1 300); do
    [ "$(curl -s -m 1 -o /dev/null -w '%{http_code}' -X POST -d '{"key":"cmVhZHk=","value":"MQ=="}' \
      "http://127.0.0.1:$1/v3/kv/put" || true)" = 200 ] && return 0
    sleep 0.1
  done
  echo "no successful put on port $1 after 30 s" >&2
  return 1
}

# wait_rejoined I: node I follows the leader and has applied at least what the leader had applied
# when asked (60 s at most).
wait_rejoined() {
  local i=$1 mine theirs
  for _ in $(seq 1 600); do
    theirs=$(status "$leader" | field raftAppliedIndex)
    mine=$(status "$i" | field raftAppliedIndex)
    if [ -n "$theirs" ] && [ -n "$mine" ] && [ "$mine" -ge "$theirs" ] && \
       [ "$(field raftState <<<"$(status "$i")")" = follower ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "n$i did not rejoin within 60 s" >&2
  return 1
}

# fsyncs I: node I's WAL fsync count and their summed seconds ("count sum").
fsyncs() {
  curl -s -m 1 "http://127.0.0.1:${node_port[$1]}/metrics" |
    awk '/^antietcd_wal_fsync_duration_seconds_count/ {c=$2} /^antietcd_wal_fsync_duration_seconds_sum/ {s=$2} END {print c+0, s+0}'
}

# measure NAME NODE WORKLOAD CONNS LABEL [loadgen options]: one LoadGen run against NODE, plus
# every node's fsync count over the run (written next to the JSON).
measure() {
  local name=$1 node=$2 workload=$3 conns=$4 label=$5 i before=() nodes
  shift 5
  # The CPU of every node that serves the run (the single node alone, or all three), and the machine's idle share.
  if [ "$node" = 0 ]; then nodes=${node_pid[0]}; else nodes="${node_pid[1]},${node_pid[2]},${node_pid[3]}"; fi
  for i in 0 1 2 3; do before[i]=$(fsyncs "$i"); done
  "${loadgen[@]}" --url "http://127.0.0.1:${node_port[$node]}" --workload "$workload" --connections "$conns" \
    --duration "$duration" --warmup "$warmup" --keys "$keys" --value-size 100 --server-pid "${node_pid[$node]}" \
    --cluster-pids "$nodes" \
    --label "$label" --out "$out/runs/$name.json" "$@"
  for i in 0 1 2 3; do
    echo "n$i ${before[i]} $(fsyncs "$i")"
  done | awk -v d="$((warmup + duration))" '{ printf "%s: %d fsyncs (%.0f/s over warmup+window), mean %.3f ms\n",
      $1, $4 - $2, ($4 - $2) / d, ($4 > $2) ? 1000 * ($5 - $3) / ($4 - $2) : 0 }' >"$out/runs/$name.fsync.txt"
  sed 's/^/     /' "$out/runs/$name.fsync.txt"
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "antietcd: $built_from"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel: $(uname -sr)"
  echo "runtime: $(dotnet --list-runtimes | grep Microsoft.NETCore.App | tail -1 | cut -d' ' -f1-2)"
  echo "data filesystem: $(df -T "$out" | awk 'NR==2 {print $1, $2}')"
  echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "settings: duration ${duration}s, warmup ${warmup}s, put connections '$connections', range connections '$range_connections', repeats $repeats, failovers $failovers, keys $keys, 100-byte values, probe timeout ${probe_timeout}s, extra args '$extra_args', node env '$node_env'"
} >"$out/machine.txt"
cat "$out/machine.txt"

echo "== start a single durable node and a 3-node durable cluster"
for i in 0 1 2 3; do start_node "$i"; done
wait_put "${node_port[0]}"
find_leader
wait_put "${node_port[$leader]}"
echo "single n0 on :${node_port[0]} (pid ${node_pid[0]}); cluster $cluster, leader n$leader, follower n$follower"
echo "single n0 pid ${node_pid[0]}; cluster $cluster; pids ${node_pid[1]} ${node_pid[2]} ${node_pid[3]}; leader n$leader" >>"$out/machine.txt"
"${loadgen[@]}" --url "http://127.0.0.1:${node_port[0]}" --keys "$keys" --value-size 100 --connections 8 --preload-only
"${loadgen[@]}" --url "http://127.0.0.1:${node_port[$leader]}" --keys "$keys" --value-size 100 --connections 8 --preload-only

if [ "$warm" -gt 0 ]; then
  echo "== warm-up (not measured): ${warm}s of puts through every target"
  mkdir -p "$out/warm"
  for target in single leader follower; do
    case $target in single) node=0 ;; leader) node=$leader ;; follower) node=$follower ;; esac
    "${loadgen[@]}" --url "http://127.0.0.1:${node_port[$node]}" --workload put --connections 16 \
      --duration "$warm" --warmup 0 --keys "$keys" --value-size 100 --label "warm-$target" --out "$out/warm/$target.json" >/dev/null
  done
fi

echo "== put and range, $repeats rounds"
for r in $(seq 1 "$repeats"); do
  for c in $connections; do
    for target in single leader follower; do
      case $target in single) node=0 ;; leader) node=$leader ;; follower) node=$follower ;; esac
      echo "-- round $r: put, $c connections, through $target (n$node)"
      measure "put-$(printf %03d "$c")-$target-$r" "$node" put "$c" "$target"
    done
  done
  for c in $range_connections; do
    for target in single leader follower; do
      case $target in single) node=0 ;; leader) node=$leader ;; follower) node=$follower ;; esac
      for kind in linearizable serializable; do
        flag=(); [ "$kind" = serializable ] && flag=(--serializable)
        echo "-- round $r: $kind range, $c connections, through $target (n$node)"
        measure "range-$kind-$(printf %03d "$c")-$target-$r" "$node" range "$c" "$target" --preload "${flag[@]}"
      done
    done
  done
done
stop_node 0
rm -rf "$out/data-n0"

echo "== failover: kill -9 of the leader, $failovers times"
: >"$out/failover.txt"
for f in $(seq 1 "$failovers"); do
  find_leader
  wait_put "${node_port[$leader]}"
  victim=$leader
  victim_pid=${node_pid[$victim]}
  read -r a b <<<"$survivors"
  probes=$out/probe-$f
  mkdir -p "$probes"
  probe_pids=()
  k=0
  t0=$EPOCHREALTIME
  kill -KILL "$victim_pid"
  # An open loop of puts through the survivors, alternately, one started every 50 ms whatever the
  # earlier ones do (each given PROBE_TIMEOUT), until one is acknowledged: a put stuck behind the
  # dead leader does not delay the probe, and the first acknowledgement is timed to ~50 ms.
  while [ ! -s "$probes/acked" ] && [ $((${EPOCHREALTIME/./} - ${t0/./})) -lt 30000000 ]; do
    k=$((k + 1))
    if [ $((k % 2)) = 1 ]; then n=$a; else n=$b; fi
    (
      code=$(curl -s -m "$probe_timeout" -o /dev/null -w '%{http_code}' -X POST \
        -d "{\"key\":\"ZmFpbG92ZXI=\",\"value\":\"$(printf %s "$f-$k" | base64)\"}" \
        "http://127.0.0.1:${node_port[$n]}/v3/kv/put" || true)
      done_at=$EPOCHREALTIME
      echo "$k n$n $code $done_at" >>"$probes/attempts"
      [ "$code" = 200 ] && echo "$done_at $n" >>"$probes/acked"
      true
    ) &
    probe_pids+=($!)
    sleep 0.05
  done
  wait "${probe_pids[@]}" 2>/dev/null || true
  wait "$victim_pid" 2>/dev/null || true
  node_pid[victim]=""
  [ -s "$probes/acked" ] || { echo "failover $f: no put acknowledged within 30 s" | tee -a "$out/failover.txt"; exit 1; }
  read -r t1 acked < <(sort -n "$probes/acked" | head -1)
  attempts=$(wc -l <"$probes/attempts")
  codes=$(sort -n "$probes/attempts" | awk '{printf " %s", $3}')
  find_leader 2
  new_leader=$leader
  start_node "$victim"
  wait_rejoined "$victim"
  t2=$EPOCHREALTIME
  awk -v f="$f" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v v="$victim" -v n="$acked" -v l="$new_leader" -v k="$attempts" -v codes="$codes" 'BEGIN {
    printf "failover %d: killed leader n%d; first put acknowledged %.0f ms later through n%d (new leader n%d; %d puts started, codes in order:%s); killed node restarted and caught up %.1f s after the put\n",
      f, v, 1000 * (t1 - t0), n, l, k, codes, t2 - t1 }' | tee -a "$out/failover.txt"
done
{ grep -o 'acknowledged [0-9]* ms' "$out/failover.txt" || true; } | awk '{print $2}' | sort -n | awk '
  { v[NR] = $1 } END { if (NR == 0) exit; m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
    printf "failover kill -> acknowledged put: n=%d, median %.0f ms, best %d ms, worst %d ms; target <= 1000 ms: %s\n",
      NR, m, v[1], v[NR], (v[NR] <= 1000) ? "met" : "NOT met" }' | tee -a "$out/failover.txt"
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

echo "== results ($out)"
"${loadgen[@]}" --report-medians "$out/runs" | tee "$out/table.md"
tail -1 "$out/failover.txt" | tee -a "$out/table.md"
