#!/usr/bin/env bash
# Webhook ingress benchmark: builds the jar once, then for each database (H2, PostgreSQL)
# starts a fresh server with the inbound rate limit lifted, loads POST /webhooks/lead-intake
# with bench/WebhookLoad.java at 16 and then 64 connections, records the server's RSS
# and CPU after each run, stops the server and prints a summary table.
#
#   bash bench/run.sh
#
# Environment (all optional):
#   BENCH_SECONDS=20            measured seconds per run (after a 3 s warm-up)
#   BENCH_CONNECTIONS="16 64"   connection counts, run in this order against one server
#   BENCH_DATABASES="h2 postgres"
#   BENCH_PORT=18080
#   BENCH_SKIP_BUILD=1          reuse the jar already in target/
#   BENCH_PG_HOST=127.0.0.1 BENCH_PG_PORT=5432 BENCH_PG_USER=postgres (PGPASSWORD if needed)
#
# Needs java 17+, curl, and for PostgreSQL psql plus a server that lets BENCH_PG_USER create
# databases. A database switchboard_bench_<random> is created per run and dropped afterwards.
# Results (summary, load reports, server logs) go to target/bench/<timestamp>/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

SECONDS_PER_RUN=${BENCH_SECONDS:-20}
CONNECTIONS=${BENCH_CONNECTIONS:-16 64}
DATABASES=${BENCH_DATABASES:-h2 postgres}
PORT=${BENCH_PORT:-18080}
PG_HOST=${BENCH_PG_HOST:-127.0.0.1}
PG_PORT=${BENCH_PG_PORT:-5432}
PG_USER=${BENCH_PG_USER:-postgres}
# The demo profile's published secret (config/application-default.yaml); the server is
# also given it explicitly so an exported LEAD_INTAKE_WEBHOOK_SECRET cannot break the run.
SECRET=whsec_ZGVtby1vbmx5LWxlYWQtaW50YWtlLXNlY3JldA==
URL="http://127.0.0.1:${PORT}/webhooks/lead-intake"
HEALTH="http://127.0.0.1:${PORT}/actuator/health"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[[ "$SECONDS_PER_RUN" =~ ^[0-9]+$ && "$SECONDS_PER_RUN" -gt 0 ]] || die "BENCH_SECONDS must be a positive integer"
command -v java >/dev/null || die "java not found"
command -v curl >/dev/null || die "curl not found"
if [[ " $DATABASES " == *" postgres "* ]]; then
    command -v psql >/dev/null || die "psql not found (needed for the PostgreSQL run; or set BENCH_DATABASES=h2)"
fi
if (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null; then
    die "port ${PORT} is already in use; stop what listens there or set BENCH_PORT"
fi

STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS="$ROOT/target/bench/$STAMP"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench.XXXXXX")
SERVER_PID=""
DB_NAME=""

psql_admin() {
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres "$@"
}

stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 90); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            log "server $SERVER_PID did not stop within 90 s; killing it"
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

drop_database() {
    [[ -n "$DB_NAME" ]] || return 0
    psql_admin -c "drop database if exists ${DB_NAME} with (force)" >/dev/null 2>&1 \
        || psql_admin -c "drop database if exists ${DB_NAME}" >/dev/null 2>&1 \
        || log "could not drop database ${DB_NAME}; drop it by hand"
    DB_NAME=""
}

cleanup() {
    stop_server
    drop_database
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- build once
JAR="$ROOT/target/switchboard-0.1.0-SNAPSHOT.jar"
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
    log "building the jar (./mvnw -q -B -DskipTests package)"
    ./mvnw -q -B -DskipTests package
fi
[[ -f "$JAR" ]] || die "no jar at $JAR"
mkdir -p "$RESULTS"

# ---------------------------------------------------------------- helpers
start_server() { # db
    local db=$1
    local args=(--server.port="$PORT" --switchboard.integrations.lead-intake.webhook.rate-limit=0)
    case "$db" in
        h2)
            mkdir -p "$WORK/h2"
            args+=(--spring.profiles.active=default
                "--spring.datasource.url=jdbc:h2:file:$WORK/h2/bench;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH")
            ;;
        postgres)
            DB_NAME="switchboard_bench_$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"
            psql_admin -c "create database ${DB_NAME}" >/dev/null || die "cannot create database ${DB_NAME}"
            args+=(--spring.profiles.active=default,postgres
                "--spring.datasource.url=jdbc:postgresql://${PG_HOST}:${PG_PORT}/${DB_NAME}"
                "--spring.datasource.username=${PG_USER}")
            ;;
        *) die "unknown database '$db' (h2 or postgres)" ;;
    esac
    log "starting the server on port $PORT with $db${DB_NAME:+ (database $DB_NAME)}"
    SWITCHBOARD_ADMIN_PASSWORD="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')" \
        LEAD_INTAKE_WEBHOOK_SECRET="$SECRET" \
        SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" \
        java -Xmx512m -jar "$JAR" "${args[@]}" >"$RESULTS/server-$db.log" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + 180))
    until curl -fsS --max-time 2 "$HEALTH" 2>/dev/null | grep -q '"status":"UP"'; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -n 40 "$RESULTS/server-$db.log" >&2 || true
            SERVER_PID=""
            die "the server exited during start; log: $RESULTS/server-$db.log"
        fi
        ((SECONDS < deadline)) || die "the server was not UP within 180 s; log: $RESULTS/server-$db.log"
        sleep 1
    done
    log "server $SERVER_PID is UP after $((SECONDS - deadline + 180)) s"
}

rss_mb() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
# One CPU sample: wall seconds, server ticks, ticks of all PostgreSQL processes, and the
# whole machine's busy ticks (utime + stime are fields 14 and 15 of /proc/<pid>/stat).
cpu_sample() {
    local server pg
    server=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0)
    pg=$(cat /proc/[0-9]*/stat 2>/dev/null | awk '$2 == "(postgres)" {t += $14 + $15} END {print t + 0}')
    echo "$(date +%s.%N) $server $pg $(awk '/^cpu / {print $2+$3+$4+$7+$8+$9}' /proc/stat)"
}
HZ=$(getconf CLK_TCK)
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

ROWS=()
ACCEPTED_SO_FAR=0
run_load() { # db connections
    local db=$1 conns=$2 out="$RESULTS/load-$1-$2.txt"
    log "$db: $conns connections, 3 s warm-up + ${SECONDS_PER_RUN} s"
    java bench/WebhookLoad.java --url "$URL" --secret "$SECRET" --connections "$conns" \
        --duration "${SECONDS_PER_RUN}s" --warmup 3s >"$out" 2>&1 &
    local load_pid=$!
    # CPU is sampled over the measured window only: from the "measuring" line to the exit.
    until grep -q '^measuring' "$out" 2>/dev/null || ! kill -0 "$load_pid" 2>/dev/null; do sleep 0.1; done
    local s0 s1
    read -r -a s0 < <(cpu_sample)
    wait "$load_pid" || true
    read -r -a s1 < <(cpu_sample)
    cat "$out"
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server died during the run; log: $RESULTS/server-$db.log"
    local rss
    rss=$(rss_mb "$SERVER_PID")
    local result
    result=$(grep '^RESULT ' "$out" | tail -n 1 || true)
    [[ -n "$result" ]] || { log "no RESULT from the load generator"; result="RESULT"; }
    # Cores used during the measured window: server JVM, PostgreSQL, load generator, the rest.
    local cpu server_cores pg_cores client_cores other_cores
    cpu=$(awk -v w0="${s0[0]}" -v w1="${s1[0]}" -v hz="$HZ" -v sv="$((s1[1] - s0[1]))" -v pg="$((s1[2] - s0[2]))" \
        -v busy="$((s1[3] - s0[3]))" -v cli="$(field "$result" client_cpu_cores)" 'BEGIN {
            w = w1 - w0; if (w <= 0) w = 1; if (cli == "" || cli < 0) cli = 0
            s = sv / hz / w; p = pg / hz / w; o = busy / hz / w - s - p - cli; if (o < 0) o = 0
            printf "%.2f %.2f %.2f %.2f", s, p, cli, o }')
    read -r server_cores pg_cores client_cores other_cores <<<"$cpu"
    # Inbox backlog: events accepted but not yet processed by the route when the run ended.
    local backlog="?"
    local accepted warmup_accepted
    accepted=$(field "$result" accepted); warmup_accepted=$(field "$result" warmup_accepted)
    ACCEPTED_SO_FAR=$((ACCEPTED_SO_FAR + ${accepted:-0} + ${warmup_accepted:-0}))
    if [[ "$db" == postgres ]]; then
        backlog=$(psql -X -At -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$DB_NAME" \
            -c "select count(*) from inbox" 2>/dev/null || echo "?")
    else
        # H2 is locked by the server: count the route's per-event log line instead.
        local processed
        processed=$(grep -c 'received as event' "$RESULTS/server-$db.log" || true)
        backlog="~$((ACCEPTED_SO_FAR - processed))"
    fi
    ROWS+=("$(printf '%-9s %5s %9s %9s %8s %8s %8s %9s %7s %7s %7s %6s %6s %6s %6s %8s' \
        "$db" "$conns" "$(field "$result" requests)" "$(field "$result" events_per_s)" \
        "$(field "$result" p50_ms)" "$(field "$result" p90_ms)" "$(field "$result" p99_ms)" "$(field "$result" max_ms)" \
        "$(field "$result" non2xx)" "$(field "$result" errors)" "$rss" \
        "$server_cores" "$pg_cores" "$client_cores" "$other_cores" "$backlog")")
    log "$db/$conns: server RSS ${rss} MB; cores: server $server_cores, postgres $pg_cores, load generator $client_cores, other $other_cores; inbox backlog $backlog"
}

# ---------------------------------------------------------------- runs
for db in $DATABASES; do
    start_server "$db"
    first=1
    ACCEPTED_SO_FAR=0
    for conns in $CONNECTIONS; do
        ((first)) || sleep 5 # let the inbox consumers catch up a little between runs
        first=0
        run_load "$db" "$conns"
    done
    log "stopping server $SERVER_PID"
    stop_server
    drop_database
done

# ---------------------------------------------------------------- summary
{
    echo "Switchboard webhook ingress benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (modified)'), $(nproc) CPUs, $(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -n 1)"
    echo "POST /webhooks/lead-intake, ${SECONDS_PER_RUN} s per run after a 3 s warm-up, rate limit off, load generator on the same machine"
    echo
    printf '%-9s %5s %9s %9s %8s %8s %8s %9s %7s %7s %7s %6s %6s %6s %6s %8s\n' \
        database conns requests events/s p50_ms p90_ms p99_ms max_ms non2xx errors rss_MB srv pg load other backlog
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "events/s = 202 responses per second; latencies over all HTTP responses; rss_MB = server VmRSS after the run;"
    echo "srv / pg / load / other = CPU cores used in the measured window by the server JVM, all PostgreSQL processes,"
    echo "the load generator and everything else on the machine; backlog = accepted events the route had not processed"
    echo "when the run ended (PostgreSQL: inbox rows; H2: estimated from the route's log lines)."
} | tee "$RESULTS/summary.txt"
log "results in $RESULTS"
