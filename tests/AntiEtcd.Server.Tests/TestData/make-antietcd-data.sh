#!/usr/bin/env bash
# Produces antietcd-1.3.1-data.gz: a persistence file written by the ORIGINAL antietcd 1.3.1
# (npm), the input of the --import_antietcd tests (SPEC §9.6).
#
# Usage: make-antietcd-data.sh [OUTPUT]   (default: antietcd-1.3.1-data.gz next to this script)
# Needs node, npm and curl. Installs antietcd@1.3.1 into a temporary directory (node_modules is
# never committed), runs it on 127.0.0.1 only, writes keys over its etcd v3 JSON API, stops it
# with SIGTERM (it persists on stop), and copies the file it wrote.
#
# The expected content (asserted by ImportAntietcdTests) follows from the writes below; the
# revision of each write is given in the comment. The server is run twice on the same file: first
# with use_base64 1 (the default), then with use_base64 0, where a value may be any JSON value
# and the file keeps it as JSON (not as a string).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/antietcd-1.3.1-data.gz}"
work="$(mktemp -d)"
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund antietcd@1.3.1 >/dev/null
port=$((20000 + RANDOM % 20000))
url="http://127.0.0.1:$port"

b64() { printf '%s' "$1" | base64 -w0; }

start() { # start [extra options...]
    node node_modules/antietcd/antietcd-app.js --ip 127.0.0.1 --port "$port" --data "$work/data.gz" "$@" &
    pid=$!
    for _ in $(seq 1 100); do
        if curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' -d '{}' "$url/v3/maintenance/status" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "antietcd did not start" >&2
    exit 1
}

stop() {
    kill -TERM "$pid"
    wait "$pid" || true
    pid=""
}

post() { # post PATH JSON
    curl -fsS -X POST -H 'Content-Type: application/json' -d "$2" "$url$1"
    echo
}

put() { # put KEY VALUE (base64 mode)
    post /v3/kv/put "{\"key\":\"$(b64 "$1")\",\"value\":\"$(b64 "$2")\"}"
}

start
put /config/global '{"immediate_commit":"all"}'          # rev 1
put /config/pools '{"1":{"name":"testpool"}}'             # rev 2
put /node/1/state 'up'                                    # rev 3
put /node/1/state 'down'                                  # rev 4: version 2
put /node/2/state 'temp'                                  # rev 5
post /v3/kv/deleterange "{\"key\":\"$(b64 /node/2/state)\"}" # rev 6: deleted
put /node/1/state 'up again'                              # rev 7: version 3, create 3
# A binary-ish value: control bytes, a NUL, UTF-8 text and a byte that is not UTF-8. antietcd
# decodes base64 into a JavaScript string (invalid UTF-8 becomes U+FFFD), so the file holds the
# string and the import gives back its UTF-8 bytes.
post /v3/kv/put "{\"key\":\"$(b64 /bin/blob)\",\"value\":\"$(printf 'a\000\001\002\n\tприв\377z' | base64 -w0)\"}" # rev 8
put /empty ''                                             # rev 9: an empty value is still a key
put '/a b/ü' 'unicode key'                                # rev 10
# A key with a lease is never persisted by antietcd; its lease grant takes a revision too.
lease=$(curl -fsS -X POST -H 'Content-Type: application/json' -d '{"TTL":60}' "$url/v3/lease/grant" | sed -E 's/.*"ID":"?([0-9a-fA-F]+)"?.*/\1/')
post /v3/kv/put "{\"key\":\"$(b64 /leased)\",\"value\":\"$(b64 gone)\",\"lease\":\"$lease\"}" # rev 11: grant, rev 12: put
stop

start --use_base64 0
post /v3/kv/put '{"key":"/config/object","value":{"b":[1,2,{"c":null}],"a":"x"}}'   # rev 13
post /v3/kv/put '{"key":"/config/number","value":42}'                             # rev 14
post /v3/kv/put '{"key":"/config/text","value":"plain"}'                          # rev 15
post /v3/kv/put '{"key":"/config/text","value":"plain 2"}'                        # rev 16: version 2
post /v3/kv/put '{"key":"/config/gone","value":"x"}'                              # rev 17
# The last write is a delete, so the file's mod_revision (18) is above every key's.
post /v3/kv/deleterange '{"key":"/config/gone"}'                                  # rev 18
stop

cp "$work/data.gz" "$out"
echo "wrote $out"
gzip -dc "$out"
echo
