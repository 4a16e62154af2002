#!/usr/bin/env bash
# The peer beside the relay, measured on this machine: Node-RED with the same one-call flow
# (HTTP in -> map -> one POST to the same counting stub -> answer), nothing stored, driven by
# the same load generator (it signs every request; Node-RED does not check the signature).
#
#   bash bench/peers.sh            # installs Node-RED with npm into target/bench/peers (once)
#   BENCH_SECONDS=15 bash bench/peers.sh [results.csv]
#
# (Node ids must not equal any node's property value: Node-RED takes such a value for a
# reference to a config node.)
# Prints requests/s and the stub's POST count, and appends them to target/bench/peers.csv
# (and, given bench/run.sh's results.csv, as scenario "peers" there, for its summary).
# n8n is not installed here (hundreds of MB of dependencies); its figure stays the one issue 17
# measured (121 executions/s with one HTTP request node and its executions saved).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PEERS="$ROOT/target/bench/peers"
SECONDS_PER_RUN=${BENCH_SECONDS:-15}
NODE_RED_VERSION=${NODE_RED_VERSION:-4.1.8}
RED_PORT=18880
STUB_PORT=18099
mkdir -p "$PEERS"
log() { echo "[peers $(date +%H:%M:%S)] $*"; }
die() { echo "peers: $*" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || die "needs Node.js and npm (Debian: nodejs npm)"
RESULTS_CSV=${1:-}

if [[ ! -x "$PEERS/node_modules/.bin/node-red" ]]; then
    log "installing node-red@$NODE_RED_VERSION into $PEERS (npm)"
    (cd "$PEERS" && npm install --no-audit --no-fund --silent "node-red@$NODE_RED_VERSION" >/dev/null)
fi

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

java bench/HttpCeiling.java $STUB_PORT >"$PEERS/stub.log" 2>&1 &
PIDS+=($!)

mkdir -p "$PEERS/user"
cat >"$PEERS/user/flows.json" <<EOF
[
  {"id": "relay-tab", "type": "tab", "label": "relay"},
  {"id": "relay-in", "type": "http in", "z": "relay-tab", "url": "/webhooks/relay", "method": "post", "wires": [["relay-map"]]},
  {"id": "relay-map", "type": "function", "z": "relay-tab", "name": "map the lead",
   "func": "const l = msg.payload; msg.payload = {id: l.submissionId, email: l.email, name: [l.firstName, l.lastName].filter(Boolean).join(' ')}; msg.headers = {'content-type': 'application/json'}; return msg;",
   "outputs": 1, "wires": [["relay-post"]]},
  {"id": "relay-post", "type": "http request", "z": "relay-tab", "method": "POST", "ret": "txt",
   "url": "http://127.0.0.1:$STUB_PORT/things", "wires": [["relay-answer"]]},
  {"id": "relay-answer", "type": "http response", "z": "relay-tab", "statusCode": "202", "wires": []}
]
EOF
cat >"$PEERS/user/settings.js" <<EOF
module.exports = { uiPort: $RED_PORT, uiHost: "127.0.0.1", httpAdminRoot: false, flowFile: "flows.json",
  logging: { console: { level: "warn" } }, editorTheme: { tours: false } };
EOF
"$PEERS/node_modules/.bin/node-red" --userDir "$PEERS/user" --settings "$PEERS/user/settings.js" \
    >"$PEERS/node-red.log" 2>&1 &
RED=$!; PIDS+=("$RED")
deadline=$((SECONDS + 60))
until curl -fsS --max-time 2 -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"submissionId":"probe"}' \
        "http://127.0.0.1:$RED_PORT/webhooks/relay" 2>/dev/null; do
    ((SECONDS < deadline)) || { tail -20 "$PEERS/node-red.log" >&2; die "Node-RED did not start"; }
    sleep 0.3
done
secret="whsec_$(head -c 24 /dev/urandom | base64)"
before=$(curl -fsS "http://127.0.0.1:$STUB_PORT/_count")
log "Node-RED $NODE_RED_VERSION: 32 connections for ${SECONDS_PER_RUN}s after a 5 s warm-up"
java bench/WebhookLoad.java --url "http://127.0.0.1:$RED_PORT/webhooks/relay" --secret "$secret" --connections 32 \
    --duration "${SECONDS_PER_RUN}s" --warmup 5s >"$PEERS/load-node-red.txt" 2>&1
after=$(curl -fsS "http://127.0.0.1:$STUB_PORT/_count")
field() { grep -o " $1=[^ ]*" "$PEERS/load-node-red.txt" | tail -1 | cut -d= -f2; }
rate=$(field events_per_s); p50=$(field p50_ms); p99=$(field p99_ms)
log "Node-RED: $rate requests/s, p50 $p50 ms, p99 $p99 ms; downstream POSTs $((after - before))"
echo "$(date -u +%FT%TZ),node-red-$NODE_RED_VERSION,relay-32,$rate,$p50,$p99,$((after - before))" >>"$ROOT/target/bench/peers.csv"
if [[ -n "$RESULTS_CSV" ]]; then
    for metric in "per_s $rate" "p50_ms $p50" "p99_ms $p99" "downstream_calls $((after - before))"; do
        set -- $metric
        echo "1,peers,node-red-relay-32,$1,$2" >>"$RESULTS_CSV"
    done
fi
