# Shared helpers of the bench/run-*.sh scripts; sourced, never run. Expects $root (the repository).

# build_quiet PROJECT: a Release build that prints only errors, and stops the script on failure.
build_quiet() {
  dotnet build "$1" -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null || {
    echo "build of $1 failed:"; dotnet build "$1" -c Release -nologo -clp:ErrorsOnly | tail -20; exit 1; }
}

# build_antietcd KIND: builds the server and sets antietcd_dll and built_from. KIND "head" builds a
# clean `git archive HEAD` (edits in progress in the working tree do not leak in); anything else
# builds the working tree.
build_antietcd() {
  local commit tree
  commit=$(git rev-parse --short HEAD)
  if [ "$1" = head ]; then
    tree=$root/artifacts/bench/build-$commit
    if [ ! -f "$tree/src/antietcd/bin/Release/net10.0/antietcd.dll" ]; then
      rm -rf "$tree"
      mkdir -p "$tree"
      git archive HEAD | tar -x -C "$tree"
      build_quiet "$tree/src/antietcd"
    fi
    antietcd_dll=$tree/src/antietcd/bin/Release/net10.0/antietcd.dll
    built_from="commit $commit (clean export)"
  else
    build_quiet src/antietcd
    antietcd_dll=$root/src/antietcd/bin/Release/net10.0/antietcd.dll
    built_from="working tree at $commit$(git diff --quiet HEAD -- src 2>/dev/null || echo ' with uncommitted changes in src/')"
  fi
}

# free_port: prints a loopback port nobody listens on, from below the kernel's ephemeral range: a port in that range
# can be taken as the local port of any outgoing connection before the server binds it, or while a killed node is
# down (tests/Shared/LoopbackPorts.cs says the same for the tests).
free_port() {
  local port low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 11000 ] || low=32768
  for _ in $(seq 1 100); do
    port=$(shuf -i "10000-$((low - 1))" -n 1)
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# stop_server: SIGTERM to $server_pid, wait up to $stop_wait_tenths tenths of a second (default
# 600), then SIGKILL with a warning. Clears server_pid.
server_pid=""
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 "${stop_wait_tenths:-600}"); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    echo "server $server_pid did not stop in time; killing it" >&2
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# stamp: prefixes every line with the wall-clock time it was read (to time log lines of a start-up).
# run-durable.sh pipes server logs through it; it was lost when this file was split out.
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
