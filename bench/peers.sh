#!/usr/bin/env bash
# The peer beside Switchboard, measured on this machine: Node-RED with the same flows, nothing
# stored (no inbox, no journal, no idempotency records), driven by the same load generator (it
# signs every request; Node-RED does not check the signature). The flows are written by
# bench/node-red-flows.js:
#
#   relay   HTTP in -> map -> one POST to a counting stub (bench/HttpCeiling.java, started here)
#           -> 202 after the POST; 32 connections for BENCH_SECONDS after BENCH_RELAY_WARMUP (60) s
#   chain   lead-intake's five calls against the simulated systems' own process (a sandbox
#           Switchboard started by bench/run.sh, PEERS_SANDBOX): CRM contact upsert -> CRM users
#           (owner) -> CRM task -> welcome e-mail -> team chat, each mapped from the lead and the
#           answers before it; 202 only after the fifth call, 502 when one fails. PEERS_CHAIN_LEADS
#           leads (a quarter more first as warm-up) over PEERS_CHAIN_CONNECTIONS connections, as many
#           as Switchboard's chain has in flight (its inbox concurrency)
#   lookup  customer-lookup: the CRM contact and the billing customer asked for in parallel (two
#           request nodes, a join) and merged into one answer, against bench/SystemsStub.java
#           (PEERS_SYSTEMS, started by bench/run.sh); 32 connections for BENCH_SECONDS after
#           BENCH_LOOKUP_WARMUP (60) s
#
#   bash bench/peers.sh                                   # relay; installs Node-RED with npm once
#   bash bench/peers.sh RESULTS_CSV [relay|chain|lookup] [REPETITION]
#
# Installs node-red@NODE_RED_VERSION (4.1.8) into target/bench/peers once. Prints the figures
# and a last line "PEERS scenario=... per_s=... run_id=..." for bench/run.sh (which checks the
# chain's rows in the sandbox with that run id); appends them to target/bench/peers.csv and,
# given bench/run.sh's results.csv, as scenario "peers" there, for its summary.
# (Node ids must not equal any node's property value: Node-RED takes such a value for a
# reference to a config node.)
# n8n is not installed here (hundreds of MB of dependencies); its figure stays the one issue 17
# measured (121 executions/s with one HTTP request node and its executions saved).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PEERS="$ROOT/target/bench/peers"
SECONDS_PER_RUN=${BENCH_SECONDS:-15}
NODE_RED_VERSION=${NODE_RED_VERSION:-4.1.8}
# bench/run.sh's BENCH_PORTS_FROM moves these too (Node-RED +880, the relay's stub +99).
RED_PORT=$((${BENCH_PORTS_FROM:-18000} + 880))
STUB_PORT=$((${BENCH_PORTS_FROM:-18000} + 99))
RESULTS_CSV=${1:-}
SCENARIO=${2:-relay}
REPETITION=${3:-1}
mkdir -p "$PEERS"
log() { echo "[peers $(date +%H:%M:%S)] $*" >&2; }
die() { echo "peers: $*" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || die "needs Node.js and npm (Debian: nodejs npm)"
case "$SCENARIO" in
    relay) ;;
    chain) [[ -n "${PEERS_SANDBOX:-}" ]] || die "chain needs PEERS_SANDBOX (the simulated systems, e.g. http://127.0.0.1:18090/sandbox; bench/run.sh starts them)" ;;
    lookup) [[ -n "${PEERS_SYSTEMS:-}" ]] || die "lookup needs PEERS_SYSTEMS (bench/SystemsStub.java, e.g. http://127.0.0.1:18098; bench/run.sh starts it)" ;;
    *) die "scenario must be relay, chain or lookup, not $SCENARIO" ;;
esac

if [[ ! -x "$PEERS/node_modules/.bin/node-red" ]]; then
    log "installing node-red@$NODE_RED_VERSION into $PEERS (npm)"
    (cd "$PEERS" && npm install --no-audit --no-fund --silent "node-red@$NODE_RED_VERSION" >/dev/null)
fi

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# ---------------------------------------------------------------- what the flows call, and with which credentials

LOOKUP_KEY="peers-lookup-$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')"
CRM_TOKEN=""
CHAT_TOKEN=""
case "$SCENARIO" in
relay)
    java bench/HttpCeiling.java $STUB_PORT >"$PEERS/stub.log" 2>&1 &
    PIDS+=($!)
    until curl -fsS --max-time 1 "http://127.0.0.1:$STUB_PORT/_count" >/dev/null 2>&1; do sleep 0.1; done
    ;;
chain)
    # Fetched once, as a flow would keep them (the sandbox of bench/run.sh issues them for an hour):
    # the CRM's client-credentials token, and the team chat app's token through the authorization
    # code grant with PKCE (what "Connect account" does for Switchboard).
    CRM_TOKEN=$(curl -fsS "$PEERS_SANDBOX/oauth/token" -d grant_type=client_credentials -d client_id=switchboard-demo \
        -d client_secret=demo-only-crm-client-secret | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    [[ -n "$CRM_TOKEN" ]] || die "no CRM token from $PEERS_SANDBOX/oauth/token"
    verifier=$(head -c 48 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    challenge=$(printf %s "$verifier" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n')
    redirect=http://127.0.0.1/oauth2/callback/chat
    location=$(curl -sS -o /dev/null -w '%{redirect_url}' "$PEERS_SANDBOX/oauth/authorize" -d client_id=switchboard-chat-app \
        --data-urlencode "redirect_uri=$redirect" --data-urlencode "scope=chat:write" -d state=peers \
        -d "code_challenge=$challenge" -d decision=approve)
    code=$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$location")
    [[ -n "$code" ]] || die "the sandbox's consent did not give a code ($location)"
    CHAT_TOKEN=$(curl -fsS "$PEERS_SANDBOX/oauth/token" -d grant_type=authorization_code -d client_id=switchboard-chat-app \
        -d client_secret=demo-only-chat-app-secret --data-urlencode "code=$code" --data-urlencode "redirect_uri=$redirect" \
        -d "code_verifier=$verifier" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    [[ -n "$CHAT_TOKEN" ]] || die "no chat token from $PEERS_SANDBOX/oauth/token"
    ;;
lookup)
    CRM_TOKEN=$(curl -fsS "$PEERS_SYSTEMS/oauth/token" -d grant_type=client_credentials | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    ;;
esac

mkdir -p "$PEERS/user"
PEERS_STUB="http://127.0.0.1:$STUB_PORT" PEERS_SANDBOX="${PEERS_SANDBOX:-}" PEERS_SYSTEMS="${PEERS_SYSTEMS:-}" \
    PEERS_CRM_TOKEN="$CRM_TOKEN" PEERS_CHAT_TOKEN="$CHAT_TOKEN" PEERS_LOOKUP_KEY="$LOOKUP_KEY" \
    node bench/node-red-flows.js >"$PEERS/user/flows.json"
# The lookup's card allows 2 s for an answer: a side that takes longer is missing.
timeout_ms=$([[ "$SCENARIO" == lookup ]] && echo 2000 || echo 10000)
cat >"$PEERS/user/settings.js" <<EOF
module.exports = { uiPort: $RED_PORT, uiHost: "127.0.0.1", httpAdminRoot: false, flowFile: "flows.json",
  httpRequestTimeout: $timeout_ms, logging: { console: { level: "warn" } }, editorTheme: { tours: false } };
EOF
"$PEERS/node_modules/.bin/node-red" --userDir "$PEERS/user" --settings "$PEERS/user/settings.js" \
    >"$PEERS/node-red-$SCENARIO.log" 2>&1 &
RED=$!; PIDS+=("$RED")
# Up when its HTTP-in nodes answer (any status: the probe is not a valid request).
deadline=$((SECONDS + 60))
until [[ "$(curl -sS --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$RED_PORT/api/integrations/customer-lookup/probe" 2>/dev/null)" == 401 ]]; do
    kill -0 "$RED" 2>/dev/null || { tail -20 "$PEERS/node-red-$SCENARIO.log" >&2; die "Node-RED exited"; }
    ((SECONDS < deadline)) || { tail -20 "$PEERS/node-red-$SCENARIO.log" >&2; die "Node-RED did not start"; }
    sleep 0.3
done

secret="whsec_$(head -c 24 /dev/urandom | base64)"
out="$PEERS/load-node-red-$SCENARIO.txt"
field() { grep -o " $1=[^ ]*" "$2" | tail -1 | cut -d= -f2; }
record() { # metric value
    [[ -n "$RESULTS_CSV" ]] && echo "$REPETITION,peers,$VARIANT,$1,$2" >>"$RESULTS_CSV"
    return 0
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

case "$SCENARIO" in
relay)
    VARIANT=node-red-relay-32
    # The same warm-up as Switchboard's relay (bench/run.sh), so both are measured warm.
    warmup=${BENCH_RELAY_WARMUP:-60}
    log "Node-RED $NODE_RED_VERSION relay: 32 connections for ${SECONDS_PER_RUN}s after a ${warmup} s warm-up"
    java bench/WebhookLoad.java --url "http://127.0.0.1:$RED_PORT/webhooks/relay" --secret "$secret" --connections 32 \
        --duration "${warmup}s" --warmup 0 >"$PEERS/load-node-red-relay-warmup.txt" 2>&1
    before=$(curl -fsS "http://127.0.0.1:$STUB_PORT/_count")
    t0=$(ticks "$RED"); w0=$(date +%s%3N)
    java bench/WebhookLoad.java --url "http://127.0.0.1:$RED_PORT/webhooks/relay" --secret "$secret" --connections 32 \
        --duration "${SECONDS_PER_RUN}s" --warmup 0 >"$out" 2>&1
    after=$(curl -fsS "http://127.0.0.1:$STUB_PORT/_count")
    extra="downstream_calls=$((after - before))"
    ;;
chain)
    VARIANT=node-red-chain
    leads=${PEERS_CHAIN_LEADS:-6000}; conns=${PEERS_CHAIN_CONNECTIONS:-64}; warm=${PEERS_CHAIN_WARMUP_LEADS:-$((leads / 4))}
    log "Node-RED $NODE_RED_VERSION chain: $warm leads to warm up, then $leads, $conns connections"
    java bench/WebhookLoad.java --url "http://127.0.0.1:$RED_PORT/webhooks/lead-intake" --secret "$secret" \
        --connections "$conns" --requests "$warm" --duration 600s --warmup 0 >"$PEERS/load-node-red-chain-warmup.txt" 2>&1
    t0=$(ticks "$RED"); w0=$(date +%s%3N)
    java bench/WebhookLoad.java --url "http://127.0.0.1:$RED_PORT/webhooks/lead-intake" --secret "$secret" \
        --connections "$conns" --requests "$leads" --duration 600s --warmup 0 >"$out" 2>&1
    extra="warmup_run_id=$(field run_id "$PEERS/load-node-red-chain-warmup.txt") warmup_accepted=$(field accepted "$PEERS/load-node-red-chain-warmup.txt")"
    ;;
lookup)
    VARIANT=node-red-lookup-fast-32
    before=$(curl -fsS "$PEERS_SYSTEMS/_count")
    warmup=${BENCH_LOOKUP_WARMUP:-60}
    log "Node-RED $NODE_RED_VERSION lookup: 32 connections for ${SECONDS_PER_RUN}s after a ${warmup} s warm-up"
    t0=$(ticks "$RED"); w0=$(date +%s%3N)
    java bench/WebhookLoad.java --url "http://127.0.0.1:$RED_PORT/api/integrations/customer-lookup" \
        --lookup-emails "${PEERS_LOOKUP_EMAILS:-ada@analytical-engines.example}" --api-key "$LOOKUP_KEY" --connections 32 \
        --duration "${SECONDS_PER_RUN}s" --warmup "${warmup}s" >"$out" 2>&1
    after=$(curl -fsS "$PEERS_SYSTEMS/_count")
    # The stub's counts include the warm-up's: every answer asked both systems once.
    extra="systems_calls=$(( $(sed 's/.*"contacts":\([0-9]*\).*/\1/' <<<"$after") - $(sed 's/.*"contacts":\([0-9]*\).*/\1/' <<<"$before") ))/$(( $(sed 's/.*"customers":\([0-9]*\).*/\1/' <<<"$after") - $(sed 's/.*"customers":\([0-9]*\).*/\1/' <<<"$before") ))"
    ;;
esac
t1=$(ticks "$RED"); w1=$(date +%s%3N)
grep -q '^RESULT ' "$out" || { cat "$out" >&2; die "no RESULT from the load generator ($out)"; }
rate=$(field events_per_s "$out"); p50=$(field p50_ms "$out"); p99=$(field p99_ms "$out")
accepted=$(field accepted "$out"); errors=$(($(field non2xx "$out") + $(field errors "$out"))); run_id=$(field run_id "$out")
# Node-RED's CPU over the load run, warm-up included (in cores).
node_cores=$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v w="$((w1 - w0))" 'BEGIN {printf "%.2f", (w > 0 ? t / hz / (w / 1000) : 0)}')
log "Node-RED $SCENARIO: $rate/s ($accepted answered as expected, $errors not), p50 $p50 ms, p99 $p99 ms, Node-RED $node_cores cores; $extra"
[[ "$errors" -eq 0 ]] || log "WARNING: $errors requests failed: $(grep -i 'non2xx_by_status' "$out" | tail -1)"
echo "$(date -u +%FT%TZ),node-red-$NODE_RED_VERSION,$VARIANT,$rate,$p50,$p99,$accepted,$errors" >>"$ROOT/target/bench/peers.csv"
record per_s "$rate"; record p50_ms "$p50"; record p99_ms "$p99"; record accepted "$accepted"; record errors "$errors"
record node_red_cores "$node_cores"
[[ "$SCENARIO" == relay ]] && record downstream_calls "${extra#downstream_calls=}"
echo "PEERS scenario=$SCENARIO per_s=$rate accepted=$accepted errors=$errors p50_ms=$p50 p99_ms=$p99 run_id=$run_id $extra"
