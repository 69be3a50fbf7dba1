#!/usr/bin/env bash
# JIT vs Native AOT antietcd (docs/benchmarks.md, "Native AOT"): start-up time to the first answered /health,
# RSS after start and after 10,000 sequential puts (one keep-alive connection), and the sizes of what ships.
#
#   bench/run-aot.sh                 # two publishes (a few minutes on 2 cores), then ~1 minute
#   REPEAT=3 PUTS=2000 bench/run-aot.sh
#
# Builds a clean `git archive HEAD` (edits in progress do not leak in, and the linux-x64 restore does not touch
# the working tree's obj/). Needs clang and zlib1g-dev for the AOT link (apt-get install -y clang zlib1g-dev) and
# python3 for the timing. Results (per-run JSON lines, table.md) go to artifacts/bench/aot-<UTC time>/ or $OUT.
# Only loopback addresses are used.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

repeat=${REPEAT:-5}
puts=${PUTS:-10000}
out=${OUT:-$root/artifacts/bench/aot-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
command -v clang >/dev/null || { echo "clang is missing: apt-get install -y clang zlib1g-dev"; exit 1; }

commit=$(git rev-parse --short HEAD)
tree=$root/artifacts/bench/aot-build-$commit
if [ ! -x "$tree/publish/aot/antietcd" ] || [ ! -x "$tree/publish/aot-cli/anticli" ]; then
  echo "== publish (clean export of $commit)"
  rm -rf "$tree"
  mkdir -p "$tree"
  git archive HEAD | tar -x -C "$tree"
  (
    cd "$tree"
    dotnet publish src/antietcd -c Release -nologo -clp:ErrorsOnly -o publish/jit >/dev/null
    dotnet publish src/antietcd -c Release -r linux-x64 -p:PublishAot=true -nologo -clp:ErrorsOnly -o publish/aot >/dev/null
    dotnet publish src/anticli -c Release -r linux-x64 -p:PublishAot=true -nologo -clp:ErrorsOnly -o publish/aot-cli >/dev/null
    dotnet publish src/anticli -c Release -nologo -clp:ErrorsOnly -o publish/jit-cli >/dev/null
  ) || { echo "publish failed; re-run the dotnet publish commands above in $tree to see why"; exit 1; }
fi

# SPEC §11.2: a native build cannot load assemblies and says so (exit 1) instead of failing later.
refusal=$("$tree/publish/aot/antietcd" --port 0 --auth_filter /nonexistent/filter.dll:Some.Filter 2>&1 >/dev/null) && {
  echo "the AOT build accepted --auth_filter"; exit 1; }
case $refusal in
  *"cannot load assemblies"*) ;;
  *) echo "unexpected refusal of --auth_filter by the AOT build: $refusal"; exit 1 ;;
esac

size_of() { du -sb --exclude='*.pdb' --exclude='*.xml' --exclude='*.dbg' "$1" | cut -f1; }
{
  echo "jit_antietcd_bytes=$(size_of "$tree/publish/jit")"
  echo "aot_antietcd_bytes=$(stat -c %s "$tree/publish/aot/antietcd")"
  echo "jit_anticli_bytes=$(size_of "$tree/publish/jit-cli")"
  echo "aot_anticli_bytes=$(stat -c %s "$tree/publish/aot-cli/anticli")"
} > "$out/sizes.txt"
{ uname -a; nproc; grep -m1 'model name' /proc/cpuinfo || true; dotnet --version; echo "commit $commit"; } > "$out/machine.txt"

echo "== measure ($repeat runs each, $puts puts)"
python3 - "$tree/publish" "$repeat" "$puts" "$out" <<'PY'
import base64, http.client, json, os, socket, statistics, subprocess, sys, time

publish, repeat, puts, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
commands = {"jit": ["dotnet", os.path.join(publish, "jit", "antietcd.dll")], "aot": [os.path.join(publish, "aot", "antietcd")]}

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

results = {k: [] for k in commands}
with open(os.path.join(out, "runs.jsonl"), "w") as log:
    for run in range(repeat):
        for kind, command in commands.items():  # interleaved, so a slow moment of the machine hits both
            port = free_port()
            start = time.monotonic()
            proc = subprocess.Popen(command + ["--port", str(port), "--ip", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                while True:
                    if proc.poll() is not None:
                        sys.exit(f"{kind} exited with {proc.returncode}")
                    try:
                        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                        c.request("GET", "/health")
                        if c.getresponse().status == 200:
                            c.close()
                            break
                        c.close()
                    except OSError:
                        pass
                    time.sleep(0.002)
                startup_ms = (time.monotonic() - start) * 1000
                rss_start = rss_kib(proc.pid)
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                put_start = time.monotonic()
                for i in range(puts):
                    body = json.dumps({"key": base64.b64encode(f"bench/key/{i:06d}".encode()).decode(), "value": base64.b64encode(b"v" * 100).decode()})
                    c.request("POST", "/v3/kv/put", body)
                    r = c.getresponse()
                    r.read()
                    if r.status != 200:
                        sys.exit(f"{kind}: put answered {r.status}")
                puts_s = time.monotonic() - put_start
                c.close()
                rss_puts = rss_kib(proc.pid)
            finally:
                proc.terminate()
                proc.wait(30)
            row = {"kind": kind, "run": run, "startup_ms": round(startup_ms, 1), "rss_start_kib": rss_start, "rss_after_puts_kib": rss_puts, "puts_per_s": round(puts / puts_s)}
            results[kind].append(row)
            log.write(json.dumps(row) + "\n")
            print(json.dumps(row), flush=True)

with open(os.path.join(out, "table.md"), "w") as t:
    t.write(f"| build | start-up to first /health 200, ms (median) | RSS after start, MiB | RSS after {puts} puts, MiB | sequential puts/s |\n")
    t.write("|---|---:|---:|---:|---:|\n")
    for kind, rows in results.items():
        med = lambda key: statistics.median(r[key] for r in rows)
        t.write(f"| {kind} | {med('startup_ms'):.0f} | {med('rss_start_kib') / 1024:.1f} | {med('rss_after_puts_kib') / 1024:.1f} | {med('puts_per_s'):.0f} |\n")
PY

cat "$out/table.md"
cat "$out/sizes.txt"
echo "results in $out"
