#!/usr/bin/env bash
# What open consoles cost the database: BENCH_CONSOLES consoles (default 10), each polling
# what the console polls every 4 s (/api/integrations and /api/alerts), for BENCH_SECONDS
# (default 60), against the server on PostgreSQL with the demo's sandbox. Prints the
# statements PostgreSQL ran per minute (pg_stat_statements is not needed: every JDBC call
# outside a transaction is one commit, and pg_stat_database counts them), idle and with the
# consoles, once with the health cache off (as before) and once at its default (3 s).
# Needs the jar (./mvnw -q -DskipTests package) and a local PostgreSQL (127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
CONSOLES=${BENCH_CONSOLES:-10}
SECONDS_EACH=${BENCH_SECONDS:-60}
PORT=${BENCH_PORT:-18090}
JAR=target/switchboard-0.1.0-SNAPSHOT.jar
[ -f "$JAR" ] || { echo "no $JAR: ./mvnw -q -DskipTests package" >&2; exit 1; }
PASSWORD=console-load-admin
pg() { psql -h 127.0.0.1 -U postgres -d postgres -tAq -c "$1"; }
commits() { pg "select xact_commit from pg_stat_database where datname = 'bench_console'"; }

measure() {
    local label=$1 cache=$2
    pg "drop database if exists bench_console" >/dev/null
    pg "create database bench_console" >/dev/null
    SWITCHBOARD_ADMIN_PASSWORD=$PASSWORD java -jar "$JAR" --server.port=$PORT \
        --spring.profiles.active=default,postgres \
        --spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/bench_console \
        --switchboard.console.health-cache="$cache" > "target/console-load-$label.log" 2>&1 &
    local server=$!
    for _ in $(seq 1 90); do
        curl -sf -o /dev/null "http://localhost:$PORT/actuator/health" && break
        sleep 1
    done
    sleep 5   # let the start's own work settle
    local before after idle busy
    before=$(commits); sleep "$SECONDS_EACH"; after=$(commits)
    idle=$(( (after - before) * 60 / SECONDS_EACH ))
    local pollers=()
    for c in $(seq 1 "$CONSOLES"); do
        ( end=$(( $(date +%s) + SECONDS_EACH + 2 ))
          while [ "$(date +%s)" -lt "$end" ]; do
              curl -s -o /dev/null -u "admin:$PASSWORD" "http://localhost:$PORT/api/integrations"
              curl -s -o /dev/null -u "admin:$PASSWORD" "http://localhost:$PORT/api/alerts"
              sleep 4
          done ) &
        pollers+=($!)
    done
    sleep 2
    before=$(commits); sleep "$SECONDS_EACH"; after=$(commits)
    busy=$(( (after - before) * 60 / SECONDS_EACH ))
    wait "${pollers[@]}" 2>/dev/null || true
    kill "$server"; wait "$server" 2>/dev/null || true
    printf '%-22s health-cache=%-3s idle %6d statements/min   %d consoles %6d/min   consoles cost %6d/min\n' \
        "$label" "$cache" "$idle" "$CONSOLES" "$busy" $(( busy - idle ))
}

measure "before (no cache)" 0s
measure "after (cached)" 3s
pg "drop database if exists bench_console" >/dev/null
