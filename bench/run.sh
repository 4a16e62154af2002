#!/usr/bin/env bash
# Switchboard benchmark suite: one command that builds the jar, starts what each scenario
# needs, runs every scenario BENCH_REPEAT times, stops everything it started, and prints
# a table of medians (also target/bench/<stamp>/summary.md, results.csv, results.json).
#
#   bash bench/run.sh
#
# Scenarios (src/docs/benchmarks.md says what each measures and why):
#   ingest     signed 1 KB leads, committed before 202: 64 connections with every route running
#              (as users run it), then 16 and 64 with lead-intake stopped; H2 and PostgreSQL
#   ceiling    the same rows straight into PostgreSQL with pgbench (one event per transaction,
#              and 32 per transaction), and the load generator against a bare JDK HTTP server
#   relay      processing: signed webhooks to a one-call route (one POST to a local stub) on
#              PostgreSQL, sent for BENCH_SECONDS while processed, then drained: events DONE/s;
#              Node-RED's same flow right after each repetition (bench/peers.sh relay), and the ratio
#   chain      leads through the whole lead-intake chain, the sandbox in its own process
#   lookup     customer-lookup at 32 connections
#              (chain and lookup: Node-RED's same flow right after, bench/peers.sh, and the ratio)
#   slow       the relay against a slow system: each call answered after 200 ms, 500 events in
#              flight (inbox concurrency and the connection's max-concurrent): events DONE/s,
#              the server's threads and RSS
#   queue      messages from a RabbitMQ queue to DONE, one POST each, beside a plain Camel
#              spring-rabbitmq consumer making the same call with nothing stored (the ceiling)
#   sync       100,000 changed invoices from billing into the CRM
#   footprint  time to healthy, idle RSS, RSS under ingest load; beside it the time to healthy of
#              a bare Spring Boot web app with the same JVM options (bench/BareWebApp.java)
#
# Environment (all optional):
#   BENCH_REPEAT=3                 repetitions; the table shows medians
#   BENCH_SECONDS=15               measured seconds per load run (after its warm-up)
#   BENCH_SCENARIOS="ingest ceiling relay slow queue chain lookup sync"   (footprint comes with ingest;
#                                  "peers" alone: Node-RED's relay without Switchboard's)
#   BENCH_JAVA_OPTS="-Xmx224m -Xmn112m -XX:+UseParallelGC -Xss512k -XX:ReservedCodeCacheSize=48m -XX:MaxMetaspaceSize=192m"   the JVM options under test
#   BENCH_CDS=1                    start every server from a class data sharing archive
#   BENCH_CHAIN_LEADS=6000 (plus BENCH_CHAIN_WARMUP_LEADS, a quarter, as warm-up on each side)  BENCH_SYNC_INVOICES=100000  BENCH_SKIP_BUILD=1
#   BENCH_PG_HOST=127.0.0.1 BENCH_PG_PORT=5432 BENCH_PG_USER=postgres (PGPASSWORD if needed)
#   BENCH_SLOW_DELAY_MS=200 BENCH_SLOW_IN_FLIGHT=500  BENCH_INGEST_WARMUP=30 (seconds before ingest's windows)
#   BENCH_RELAY_WARMUP=60          seconds of load before the relay's (and slow's, and Node-RED's relay) window
#   BENCH_LOOKUP_WARMUP=60         seconds of load before the fast lookup's (and Node-RED's lookup) window
#   BENCH_QUEUE_MESSAGES=20000 (plus a quarter as warm-up)  BENCH_AMQP_HOST=127.0.0.1 BENCH_AMQP_PORT=5672
#   BENCH_AMQP_MANAGEMENT_PORT=15672 BENCH_AMQP_USER=guest BENCH_AMQP_PASSWORD=guest
#   BENCH_PEERS=0                  no Node-RED beside the chain and the lookup
#   BENCH_PORTS_FROM=18000         the ports used: +80 server, +90 sandbox, +98 and +99 stubs
#
# Needs java 17+, curl, psql and pgbench, and a PostgreSQL server that lets BENCH_PG_USER
# create databases (switchboard_bench_<random>, dropped at the end); for queue a RabbitMQ
# (vhost switchboard-bench-<random>, deleted at the end); for Node-RED, node and npm. All traffic goes to
# 127.0.0.1; every load loop is bounded in time.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

REPEAT=${BENCH_REPEAT:-3}
SECONDS_PER_RUN=${BENCH_SECONDS:-15}
# The relay's (and Node-RED's) JIT warm-up before the measured window.
RELAY_WARMUP=${BENCH_RELAY_WARMUP:-60}
export BENCH_RELAY_WARMUP=$RELAY_WARMUP
# The fast lookup's (and Node-RED's lookup's) warm-up, for the same reason.
LOOKUP_WARMUP=${BENCH_LOOKUP_WARMUP:-60}
export BENCH_LOOKUP_WARMUP=$LOOKUP_WARMUP
SCENARIOS=${BENCH_SCENARIOS:-ingest ceiling relay slow queue chain lookup sync}
JAVA_OPTS_UNDER_TEST=${BENCH_JAVA_OPTS:--Xmx224m -Xmn112m -XX:+UseParallelGC -Xss512k -XX:ReservedCodeCacheSize=48m -XX:MaxMetaspaceSize=192m}
CHAIN_LEADS=${BENCH_CHAIN_LEADS:-6000}
CHAIN_WARMUP_LEADS=${BENCH_CHAIN_WARMUP_LEADS:-$((CHAIN_LEADS / 4))}
INGEST_WARMUP=${BENCH_INGEST_WARMUP:-30}
SYNC_INVOICES=${BENCH_SYNC_INVOICES:-100000}
PG_HOST=${BENCH_PG_HOST:-127.0.0.1}
PG_PORT=${BENCH_PG_PORT:-5432}
PG_USER=${BENCH_PG_USER:-postgres}
QUEUE_MESSAGES=${BENCH_QUEUE_MESSAGES:-20000}
AMQP_HOST=${BENCH_AMQP_HOST:-127.0.0.1}
AMQP_PORT=${BENCH_AMQP_PORT:-5672}
AMQP_MANAGEMENT_PORT=${BENCH_AMQP_MANAGEMENT_PORT:-15672}
AMQP_USER=${BENCH_AMQP_USER:-guest}
AMQP_PASSWORD=${BENCH_AMQP_PASSWORD:-guest}
# Ports on 127.0.0.1; BENCH_PORTS_FROM moves them all (e.g. 28000: 28080, 28090, 28099, 28098).
PORTS_FROM=${BENCH_PORTS_FROM:-18000}
SERVER_PORT=$((PORTS_FROM + 80))
SANDBOX_PORT=$((PORTS_FROM + 90))
CEILING_PORT=$((PORTS_FROM + 99))
STUB_PORT=$((PORTS_FROM + 98))
# The demo profile's published secrets (config/application-default.yaml); given explicitly
# so that exported variables cannot change what is measured.
SECRET=whsec_ZGVtby1vbmx5LWxlYWQtaW50YWtlLXNlY3JldA==
ADMIN_PASSWORD="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')"
ENCRYPTION_KEY="$(openssl rand -base64 32)"
LOOKUP_KEY="bench-lookup-$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')"
LOOKUP_KEY_SHA=$(printf %s "$LOOKUP_KEY" | sha256sum | cut -d' ' -f1)
LOOKUP_EMAILS="billing@analytical-engines.example,accounts@difference-works.example,finance@jacquard.example,invoices@babbage.example"
# "No limit" for the connections and the route throttlers, which take a rate per second.
# Far above what two cores reach, and not higher: Camel's throttler keeps one permit
# object per request of its rate (a million would be 24 MB per throttle).
UNLIMITED=5000

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer"
[[ "$SECONDS_PER_RUN" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer"
for tool in java curl psql pgbench sha256sum; do
    command -v "$tool" >/dev/null || die "$tool not found (PostgreSQL client tools: apt-get install postgresql-client)"
done
for port in $SERVER_PORT $SANDBOX_PORT $CEILING_PORT; do
    if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
        die "port ${port} is already in use; stop what listens there"
    fi
done

STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS="$ROOT/target/bench/$STAMP"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench.XXXXXX")
mkdir -p "$RESULTS" "$WORK/no-routes"
CSV="$RESULTS/results.csv"
echo "repetition,scenario,variant,metric,value" >"$CSV"
PIDS=()
DATABASES=()
VHOSTS=()

# ---------------------------------------------------------------- processes and databases

psql_on() { # database, psql args...
    local db=$1; shift
    psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$db" "$@"
}

new_database() { # -> NEW_DB (not echoed: called in a subshell, the list of databases to drop would be lost)
    NEW_DB="switchboard_bench_$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"
    psql_on postgres -c "create database ${NEW_DB}" >/dev/null || die "cannot create database ${NEW_DB}"
    DATABASES+=("$NEW_DB")
}

drop_databases() {
    if [[ "${BENCH_KEEP_DATABASES:-}" == 1 ]]; then
        log "kept the databases (BENCH_KEEP_DATABASES=1): ${DATABASES[*]}"; DATABASES=(); return 0
    fi
    for db in "${DATABASES[@]}"; do
        psql_on postgres -c "drop database if exists ${db} with (force)" >/dev/null 2>&1 \
            || log "could not drop database ${db}; drop it by hand"
    done
    DATABASES=()
}

stop_pid() {
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

stop_all() {
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    PIDS=()
}

cleanup() {
    stop_all
    drop_databases
    for vhost in "${VHOSTS[@]}"; do
        [[ -n "$vhost" ]] && { rabbit delete "$vhost" || log "could not delete the vhost $vhost; delete it by hand"; }
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rss_mb() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# A process may end between the glob and the read: cat then fails, which must not stop the run.
pg_ticks() { { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '$2 == "(postgres)" {t += $14 + $15} END {print t + 0}'; }
busy_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9}' /proc/stat; }
# The JIT compiler threads' CPU in a JVM (HotSpot names them "C1/C2 CompilerThreadN").
jit_ticks() { { cat /proc/"$1"/task/*/stat 2>/dev/null || true; } | awk '/\(C[12] CompilerThre/ {
    sub(/^.*\) /, ""); t += $12 + $13 } END {print t + 0}'; }
HZ=$(getconf CLK_TCK)
now_ms() { date +%s%3N; }

record() { # repetition scenario variant metric value
    echo "$1,$2,$3,$4,$5" >>"$CSV"
}

# start_stub source port log : starts a single-file Java stub and waits until its /_count answers; sets STUB_PID.
start_stub() {
    java "$1" "$2" "${@:4}" >"$3" 2>&1 &
    STUB_PID=$!; PIDS+=("$STUB_PID")
    local deadline=$((SECONDS + 60))
    until curl -fsS --max-time 1 "http://127.0.0.1:$2/_count" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "the stub $1 did not start on port $2"; sleep 0.1
    done
}

# start_java name port log args... : starts the jar, waits for health UP, sets STARTED_PID
# and STARTED_MS (milliseconds from exec to the first healthy answer).
start_java() {
    local name=$1 port=$2 logfile=$3; shift 3
    local t0; t0=$(now_ms)
    # shellcheck disable=SC2086
    SWITCHBOARD_ADMIN_PASSWORD="$ADMIN_PASSWORD" LEAD_INTAKE_WEBHOOK_SECRET="$SECRET" \
        SWITCHBOARD_ENCRYPTION_KEY="$ENCRYPTION_KEY" \
        SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" \
        java $JAVA_OPTS_UNDER_TEST -jar "$JAR" --server.port="$port" "$@" >"$logfile" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
    local deadline=$((SECONDS + 180))
    until curl -fsS --max-time 2 "http://127.0.0.1:${port}/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; do
        kill -0 "$STARTED_PID" 2>/dev/null || { tail -n 30 "$logfile" >&2; die "$name exited during start; log: $logfile"; }
        ((SECONDS < deadline)) || die "$name was not healthy within 180 s; log: $logfile"
        sleep 0.05
    done
    STARTED_MS=$(($(now_ms) - t0))
    log "$name (pid $STARTED_PID) healthy after ${STARTED_MS} ms"
}

jolokia() { # port json
    curl -fsS --max-time "${3:-600}" -u "admin:${ADMIN_PASSWORD}" -H 'Content-Type: application/json' -d "$2" \
        "http://127.0.0.1:$1/actuator/hawtio/jolokia"
}

stop_route() { # port route-id
    jolokia "$1" "{\"type\":\"exec\",\"mbean\":\"org.apache.camel:context=switchboard,type=routes,name=\\\"$2\\\"\",\"operation\":\"stop()\"}" \
        | grep -q '"status":200' || die "could not stop route $2"
}

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

# load name args... : runs WebhookLoad, samples the server's CPU/RSS and the machine's CPU
# over the measured window, sets LOAD_RESULT (its RESULT line) and LOAD_CPU (srv pg load other).
load() {
    local out=$1 server_pid=$2; shift 2
    java bench/WebhookLoad.java "$@" >"$out" 2>&1 &
    local load_pid=$!
    until grep -q '^measuring' "$out" 2>/dev/null || ! kill -0 "$load_pid" 2>/dev/null; do sleep 0.1; done
    local w0 s0 p0 b0 max_rss=0
    w0=$(date +%s.%N); s0=$(cpu_ticks "$server_pid"); p0=$(pg_ticks); b0=$(busy_ticks)
    while kill -0 "$load_pid" 2>/dev/null; do
        local r; r=$(rss_mb "$server_pid"); ((r > max_rss)) && max_rss=$r
        sleep 0.5
    done
    wait "$load_pid" || true
    local w1 s1 p1 b1
    w1=$(date +%s.%N); s1=$(cpu_ticks "$server_pid"); p1=$(pg_ticks); b1=$(busy_ticks)
    LOAD_RESULT=$(grep '^RESULT ' "$out" | tail -n 1 || true)
    [[ -n "$LOAD_RESULT" ]] || { cat "$out" >&2; die "no RESULT from the load generator ($out)"; }
    LOAD_MAX_RSS=$max_rss
    LOAD_CPU=$(awk -v w0="$w0" -v w1="$w1" -v hz="$HZ" -v sv="$((s1 - s0))" -v pg="$((p1 - p0))" \
        -v busy="$((b1 - b0))" -v cli="$(field "$LOAD_RESULT" client_cpu_cores)" 'BEGIN {
            w = w1 - w0; if (w <= 0) w = 1; if (cli == "" || cli < 0) cli = 0
            s = sv / hz / w; p = pg / hz / w; o = busy / hz / w - s - p - cli; if (o < 0) o = 0
            printf "%.2f %.2f %.2f %.2f", s, p, cli, o }')
}

record_load() { # repetition scenario variant  (from LOAD_RESULT / LOAD_CPU / LOAD_MAX_RSS)
    local rep=$1 scenario=$2 variant=$3
    local srv pg cli other
    read -r srv pg cli other <<<"$LOAD_CPU"
    record "$rep" "$scenario" "$variant" per_s "$(field "$LOAD_RESULT" events_per_s)"
    record "$rep" "$scenario" "$variant" p50_ms "$(field "$LOAD_RESULT" p50_ms)"
    record "$rep" "$scenario" "$variant" p99_ms "$(field "$LOAD_RESULT" p99_ms)"
    record "$rep" "$scenario" "$variant" errors "$(( $(field "$LOAD_RESULT" non2xx) + $(field "$LOAD_RESULT" errors) ))"
    record "$rep" "$scenario" "$variant" rss_mb "$LOAD_MAX_RSS"
    record "$rep" "$scenario" "$variant" server_cores "$srv"
    record "$rep" "$scenario" "$variant" pg_cores "$pg"
    record "$rep" "$scenario" "$variant" loadgen_cores "$cli"
    record "$rep" "$scenario" "$variant" other_cores "$other"
    log "$scenario/$variant: $(field "$LOAD_RESULT" events_per_s)/s p50 $(field "$LOAD_RESULT" p50_ms) ms p99 $(field "$LOAD_RESULT" p99_ms) ms, errors $(( $(field "$LOAD_RESULT" non2xx) + $(field "$LOAD_RESULT" errors) )), RSS ${LOAD_MAX_RSS} MB, cores server/pg/loadgen/other $LOAD_CPU"
}

accepted_in() { echo $(( $(field "$LOAD_RESULT" accepted) + $(field "$LOAD_RESULT" warmup_accepted) )); }

# ---------------------------------------------------------------- build once

JAR="$ROOT/target/switchboard-0.1.0-SNAPSHOT.jar"
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
    log "building the jar (./mvnw -q -B -DskipTests package)"
    ./mvnw -q -B -DskipTests package
fi
[[ -f "$JAR" ]] || die "no jar at $JAR"
# The queue scenario's clients run on the build's own jars: the AMQP client for the publisher,
# and for the plain Camel ceiling every library plus camel-spring-rabbitmq of the same Camel
# version (Switchboard does not ship it; Maven fetches it once into the local repository).
QUEUE_LIB="$WORK/queue-lib"
if [[ " $SCENARIOS " == *" queue "* ]]; then
    mkdir -p "$QUEUE_LIB"
    (cd "$QUEUE_LIB" && unzip -q -j -o "$JAR" 'BOOT-INF/lib/*.jar') || die "cannot extract the libraries of $JAR"
    CAMEL_VERSION=$(ls "$QUEUE_LIB" | sed -n 's/^camel-api-\(.*\)\.jar$/\1/p')
    ./mvnw -q -B -ntp -o dependency:copy "-Dartifact=org.apache.camel:camel-spring-rabbitmq:${CAMEL_VERSION}" \
            "-DoutputDirectory=$QUEUE_LIB" >/dev/null 2>&1 \
        || ./mvnw -q -B -ntp dependency:copy "-Dartifact=org.apache.camel:camel-spring-rabbitmq:${CAMEL_VERSION}" \
            "-DoutputDirectory=$QUEUE_LIB" >"$RESULTS/queue-lib.log" 2>&1 \
        || die "cannot fetch camel-spring-rabbitmq ${CAMEL_VERSION} (see $RESULTS/queue-lib.log)"
fi
H2_JAR="$WORK/h2.jar"
unzip -p "$JAR" "$(unzip -Z1 "$JAR" | grep -m1 '^BOOT-INF/lib/h2-.*\.jar$')" >"$H2_JAR"

BASE_JAVA_OPTS=$JAVA_OPTS_UNDER_TEST
# Class data sharing (part of the recommended launch, src/docs/operations.md): the jar
# extracted, one training start that writes the archive of the classes it loaded, and
# every server of the run starts from that archive. BENCH_CDS=0 measures without.
if [[ "${BENCH_CDS:-1}" == 1 ]]; then
    log "class data sharing: extracting the jar and one training start"
    java -Djarmode=tools -jar "$JAR" extract --destination "$WORK/app" >/dev/null 2>&1 || die "cannot extract $JAR"
    APP_JAR="$WORK/app/$(basename "$JAR")"
    SWITCHBOARD_ADMIN_PASSWORD="$ADMIN_PASSWORD" LEAD_INTAKE_WEBHOOK_SECRET="$SECRET" \
        SWITCHBOARD_ENCRYPTION_KEY="$ENCRYPTION_KEY" \
        java -XX:ArchiveClassesAtExit="$WORK/app.jsa" -Dspring.context.exit=onRefresh -jar "$APP_JAR" \
        --server.port=$SERVER_PORT "--spring.datasource.url=jdbc:h2:file:$WORK/cds/train;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH" \
        >"$RESULTS/cds-training.log" 2>&1 || true
    [[ -s "$WORK/app.jsa" ]] || die "no class data sharing archive; see $RESULTS/cds-training.log"
    JAR=$APP_JAR
    JAVA_OPTS_UNDER_TEST="$JAVA_OPTS_UNDER_TEST -XX:SharedArchiveFile=$WORK/app.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
fi

# ---------------------------------------------------------------- ingest (+ footprint)

# The yardstick for the time to healthy: bench/BareWebApp.java, a Spring Boot web application
# with the actuator and nothing else, on the Spring Boot, Tomcat, Jackson and logging jars of
# this build, compiled into a jar once, started with the same JVM options (and an archive of
# its own when the run uses class data sharing).
BARE_CP=""
if [[ " $SCENARIOS " == *" ingest "* ]]; then
    mkdir -p "$WORK/bare/lib" "$WORK/bare/classes"
    (cd "$WORK/bare/lib" && unzip -q -j -o "$ROOT/target/switchboard-0.1.0-SNAPSHOT.jar" \
        'BOOT-INF/lib/spring-boot-[0-9]*.jar' 'BOOT-INF/lib/spring-boot-autoconfigure-*.jar' \
        'BOOT-INF/lib/spring-boot-actuator-*.jar' 'BOOT-INF/lib/spring-core-*.jar' 'BOOT-INF/lib/spring-jcl-*.jar' \
        'BOOT-INF/lib/spring-beans-*.jar' 'BOOT-INF/lib/spring-context-[0-9]*.jar' 'BOOT-INF/lib/spring-aop-*.jar' \
        'BOOT-INF/lib/spring-expression-*.jar' 'BOOT-INF/lib/spring-web-[0-9]*.jar' 'BOOT-INF/lib/spring-webmvc-*.jar' \
        'BOOT-INF/lib/tomcat-embed-core-*.jar' 'BOOT-INF/lib/tomcat-embed-el-*.jar' \
        'BOOT-INF/lib/tomcat-embed-websocket-*.jar' 'BOOT-INF/lib/jackson-core-*.jar' \
        'BOOT-INF/lib/jackson-databind-*.jar' 'BOOT-INF/lib/jackson-annotations-*.jar' \
        'BOOT-INF/lib/jackson-datatype-jdk8-*.jar' 'BOOT-INF/lib/jackson-datatype-jsr310-*.jar' \
        'BOOT-INF/lib/jackson-module-parameter-names-*.jar' 'BOOT-INF/lib/logback-*.jar' \
        'BOOT-INF/lib/slf4j-api-*.jar' 'BOOT-INF/lib/jul-to-slf4j-*.jar' 'BOOT-INF/lib/log4j-to-slf4j-*.jar' \
        'BOOT-INF/lib/log4j-api-*.jar' 'BOOT-INF/lib/snakeyaml-*.jar' 'BOOT-INF/lib/micrometer-core-*.jar' \
        'BOOT-INF/lib/micrometer-observation-*.jar' 'BOOT-INF/lib/micrometer-commons-*.jar' \
        'BOOT-INF/lib/micrometer-jakarta9-*.jar' 'BOOT-INF/lib/HdrHistogram-*.jar' 'BOOT-INF/lib/LatencyUtils-*.jar' \
        'BOOT-INF/lib/jakarta.annotation-api-*.jar') || die "cannot extract the Spring Boot jars for the bare web app"
    javac -nowarn -cp "$WORK/bare/lib/*" -d "$WORK/bare/classes" bench/BareWebApp.java \
        || die "cannot compile bench/BareWebApp.java"
    jar cf "$WORK/bare/bare.jar" -C "$WORK/bare/classes" .
    BARE_CP="$WORK/bare/bare.jar:$(ls "$WORK/bare/lib"/*.jar | sort | paste -sd:)"
    BARE_JAVA_OPTS=$BASE_JAVA_OPTS
    if [[ "${BENCH_CDS:-1}" == 1 ]]; then
        # shellcheck disable=SC2086
        java $BASE_JAVA_OPTS -XX:ArchiveClassesAtExit="$WORK/bare.jsa" -Dspring.context.exit=onRefresh -cp "$BARE_CP" \
            bench.BareWebApp --server.port=$SERVER_PORT >"$RESULTS/bare-cds-training.log" 2>&1 || true
        [[ -s "$WORK/bare.jsa" ]] || die "no class data sharing archive for the bare web app; see $RESULTS/bare-cds-training.log"
        BARE_JAVA_OPTS="$BASE_JAVA_OPTS -XX:SharedArchiveFile=$WORK/bare.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
    fi
fi

# bare_start repetition : the bare web app's time to healthy, recorded as footprint/bare-spring-boot.
bare_start() {
    local rep=$1 t0 pid deadline=$((SECONDS + 120))
    t0=$(now_ms)
    # shellcheck disable=SC2086
    java $BARE_JAVA_OPTS -cp "$BARE_CP" bench.BareWebApp --server.port=$SERVER_PORT >"$RESULTS/bare-$rep.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    until curl -fsS --max-time 2 "http://127.0.0.1:${SERVER_PORT}/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; do
        kill -0 "$pid" 2>/dev/null || { tail -n 30 "$RESULTS/bare-$rep.log" >&2; die "the bare web app exited during start"; }
        ((SECONDS < deadline)) || die "the bare web app was not healthy within 120 s"
        sleep 0.05
    done
    local ms=$(($(now_ms) - t0))
    record "$rep" footprint bare-spring-boot healthy_ms "$ms"
    record "$rep" footprint bare-spring-boot idle_rss_mb "$(rss_mb "$pid")"
    log "bare Spring Boot web app (the yardstick) healthy after $ms ms"
    stop_pid "$pid"
}

ingest() { # repetition database
    local rep=$1 db=$2 args=() name
    args=(--spring.profiles.active=default --switchboard.integrations.lead-intake.webhook.rate-limit=0)
    if [[ $db == h2 ]]; then
        rm -rf "$WORK/h2"; mkdir -p "$WORK/h2"
        args+=("--spring.datasource.url=jdbc:h2:file:$WORK/h2/bench;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH")
    else
        new_database; name=$NEW_DB
        args=(--spring.profiles.active=default,postgres --switchboard.integrations.lead-intake.webhook.rate-limit=0
            "--spring.datasource.url=jdbc:postgresql://${PG_HOST}:${PG_PORT}/${name}" "--spring.datasource.username=${PG_USER}")
    fi
    start_java "server-$db" $SERVER_PORT "$RESULTS/server-ingest-$db-$rep.log" "${args[@]}"
    local pid=$STARTED_PID
    record "$rep" footprint "$db" healthy_ms "$STARTED_MS"
    sleep 5
    record "$rep" footprint "$db" idle_rss_mb "$(rss_mb "$pid")"
    local url="http://127.0.0.1:${SERVER_PORT}/webhooks/lead-intake" total=0
    # 30 s: after 10 s the JIT was still compiling through the first measured window (12.5 s of
    # compilations in it), which made the routes-running window, always the first, look slower.
    log "ingest/$db: JIT warm-up ($INGEST_WARMUP s at 64 connections, not recorded)"
    load "$RESULTS/load-ingest-$db-warmup-$rep.txt" "$pid" --url "$url" --secret "$SECRET" --connections 64 \
        --duration "${INGEST_WARMUP}s" --warmup 0
    total=$((total + $(accepted_in)))
    # As users run it: every route started, lead-intake consuming the backlog (at the CRM's
    # 10 requests/s of the demo, so it does little work but claims and polls like in production).
    load "$RESULTS/load-ingest-$db-64-running-$rep.txt" "$pid" --url "$url" --secret "$SECRET" --connections 64 \
        --duration "${SECONDS_PER_RUN}s" --warmup 2s
    record_load "$rep" ingest "$db-64-running"
    total=$((total + $(accepted_in)))
    # Then ingest on its own, as before: the lead chain's consumers stopped (the chain scenario
    # measures them). Accepted events wait in the inbox, counted below.
    stop_route $SERVER_PORT lead-intake
    for conns in 16 64; do
        load "$RESULTS/load-ingest-$db-$conns-$rep.txt" "$pid" --url "$url" --secret "$SECRET" --connections "$conns" \
            --duration "${SECONDS_PER_RUN}s" --warmup 2s
        record_load "$rep" ingest "$db-$conns" 
        total=$((total + $(accepted_in)))
        record "$rep" footprint "$db" load_rss_mb "$LOAD_MAX_RSS"
    done
    stop_pid "$pid"
    # Every 202 is a committed event: count them in the database after the server is gone.
    local stored
    if [[ $db == h2 ]]; then
        stored=$(java -cp "$H2_JAR" org.h2.tools.Shell \
            -url "jdbc:h2:file:$WORK/h2/bench;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE" -user sa -password "" \
            -sql "select count(*) from event where integration = 'lead-intake'" | sed -n '2p' | tr -dc '0-9')
    else
        stored=$(psql_on "$name" -c "select count(*) from event where integration = 'lead-intake'")
    fi
    record "$rep" ingest "$db" lost "$((total - stored))"
    log "ingest/$db: $total answered 202, $stored events stored"
    [[ "$stored" -ge "$total" ]] || log "WARNING: $((total - stored)) accepted events are missing from the database"
    if [[ $db == postgres ]]; then
        INGEST_DB=$name # the ceiling runs against the same schema
    fi
}

# ---------------------------------------------------------------- ceilings

ceiling() { # repetition
    local rep=$1
    if [[ -z "${INGEST_DB:-}" ]]; then
        new_database; INGEST_DB=$NEW_DB
        start_java "schema" $SERVER_PORT "$RESULTS/server-schema.log" --spring.profiles.active=default,postgres \
            "--spring.datasource.url=jdbc:postgresql://${PG_HOST}:${PG_PORT}/${INGEST_DB}" "--spring.datasource.username=${PG_USER}"
        stop_pid "$STARTED_PID"
    fi
    local out
    out=$(pgbench -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -n -c 64 -j 2 -T "$SECONDS_PER_RUN" \
        -f bench/pgbench/ingest-event.sql "$INGEST_DB" 2>&1) || { echo "$out" >&2; die "pgbench failed"; }
    echo "$out" >"$RESULTS/pgbench-event-$rep.txt"
    local tps latency
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out"); latency=$(sed -n 's/^latency average = \([0-9.]*\).*/\1/p' <<<"$out")
    record "$rep" ceiling pg-1-per-tx per_s "$tps"; record "$rep" ceiling pg-1-per-tx avg_ms "$latency"
    log "ceiling/pgbench, one event per transaction, 64 clients: $tps events/s, average $latency ms"
    out=$(pgbench -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -n -c 2 -j 2 -T "$SECONDS_PER_RUN" \
        -f bench/pgbench/ingest-batch.sql "$INGEST_DB" 2>&1) || { echo "$out" >&2; die "pgbench failed"; }
    echo "$out" >"$RESULTS/pgbench-batch-$rep.txt"
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out"); latency=$(sed -n 's/^latency average = \([0-9.]*\).*/\1/p' <<<"$out")
    record "$rep" ceiling pg-32-per-tx per_s "$(awk -v t="$tps" 'BEGIN {printf "%.1f", t * 32}')"
    record "$rep" ceiling pg-32-per-tx avg_ms "$latency"
    log "ceiling/pgbench, 32 events per transaction, 2 clients: $(awk -v t="$tps" 'BEGIN {printf "%.0f", t * 32}') events/s"
    java bench/HttpCeiling.java $CEILING_PORT >"$RESULTS/http-ceiling.log" 2>&1 &
    local ceiling_pid=$!
    PIDS+=("$ceiling_pid")
    until grep -q 'ceiling server' "$RESULTS/http-ceiling.log" 2>/dev/null; do
        kill -0 "$ceiling_pid" 2>/dev/null || die "the ceiling server did not start"; sleep 0.1
    done
    load "$RESULTS/load-ceiling-$rep.txt" "$ceiling_pid" --url "http://127.0.0.1:${CEILING_PORT}/webhooks/lead-intake" \
        --secret "$SECRET" --connections 64 --duration "${SECONDS_PER_RUN}s" --warmup 3s
    record_load "$rep" ceiling jdk-http-64
    stop_pid "$ceiling_pid"
}

# ---------------------------------------------------------------- the sandbox in its own process, and a server using it

# connect_chat server_port : "Connect account" for the team chat as the admin, as a browser
# does it (login, Connect, Approve on the sandbox's consent page, the callback); until then
# leads wait at the chat step.
connect_chat() {
    local base="http://127.0.0.1:$1" jar="$WORK/connect-cookies" csrf consent page callback name value
    rm -f "$jar"
    csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | grep -o 'name="_csrf"[^>]*value="[^"]*"' | sed 's/.*value="//; s/"$//')
    curl -fsS -c "$jar" -b "$jar" -o /dev/null --data-urlencode "username=admin" \
        --data-urlencode "password=$ADMIN_PASSWORD" --data-urlencode "_csrf=$csrf" "$base/login"
    # Connect is a POST with the console's CSRF token (the XSRF-TOKEN cookie, sent back as a
    # header); its answer names the consent page.
    curl -fsS -c "$jar" -b "$jar" -o /dev/null "$base/console/"
    local xsrf; xsrf=$(awk '$6 == "XSRF-TOKEN" {print $7}' "$jar" | tail -n 1)
    consent=$(curl -fsS -c "$jar" -b "$jar" -X POST -H "X-XSRF-TOKEN: $xsrf" "$base/api/connections/chat/authorize" \
        | sed -n 's/.*"location":"\([^"]*\)".*/\1/p')
    [[ -n "$consent" ]] || die "Connect for the chat did not name the consent page"
    # The sandbox runs in a process of its own here: the server names its consent page there.
    page=$(curl -fsS "$consent")
    local args=(--data-urlencode decision=approve)
    while IFS=$'\t' read -r name value; do
        args+=(--data-urlencode "$name=$value")
    done < <(grep -o '<input type="hidden" name="[^"]*" value="[^"]*"' <<<"$page" | sed -E 's/.*name="([^"]*)" value="([^"]*)"/\1\t\2/')
    callback=$(curl -fsS -o /dev/null -w '%{redirect_url}' "${args[@]}" "${consent%%\?*}")
    # The callback answers a page that leads back to the console, "...&connected" when it worked.
    curl -sS -c "$jar" -b "$jar" "$callback" | grep -q 'connection=chat&amp;connected' \
        || die "the chat's Connect callback failed ($callback)"
    log "team chat connected"
}

# ---------------------------------------------------------------- relay (processing)

# relay repetition : the one-call integration (bench/routes/relay.camel.yaml) on PostgreSQL:
# signed webhooks sent for BENCH_SECONDS while the route processes them, then the backlog
# drained. Events done per second from the first accepted to the last finished, with the
# ingest rate reached meanwhile, receipt-to-done latency, downstream calls (must equal done),
# commits per event and CPU per component.
relay() {
    local rep=$1 scenario=${2:-relay} variant=${3:-relay} delay_ms=${4:-0} in_flight=${5:-${BENCH_RELAY_CONCURRENCY:-32}}
    new_database; local db=$NEW_DB
    start_stub bench/HttpCeiling.java $CEILING_PORT "$RESULTS/$scenario-stub-$rep.log" "$delay_ms"; local stub=$STUB_PID
    start_java "$scenario" $SERVER_PORT "$RESULTS/server-$scenario-$rep.log" --spring.profiles.active=default,postgres \
        "--spring.datasource.url=jdbc:postgresql://${PG_HOST}:${PG_PORT}/${db}" "--spring.datasource.username=${PG_USER}" \
        "--camel.main.routes-include-pattern=file:routes/*.camel.yaml,file:bench/routes/*.camel.yaml" \
        --switchboard.integrations.relay.trigger=webhook \
        "--switchboard.integrations.relay.card.description=bench: one POST downstream per event" \
        --switchboard.integrations.relay.card.owner=bench \
        --switchboard.integrations.relay.webhook.auth=standard-webhooks \
        "--switchboard.integrations.relay.webhook.secret=$SECRET" \
        --switchboard.integrations.relay.webhook.rate-limit=0 \
        --switchboard.integrations.relay.inbox.concurrency="$in_flight" \
        "--switchboard.connections.relay-target.base-url=http://127.0.0.1:${CEILING_PORT}" \
        --switchboard.connections.relay-target.rate-limit=$UNLIMITED \
        --switchboard.connections.relay-target.max-concurrent="$in_flight" \
        --spring.datasource.hikari.maximum-pool-size=40 ${BENCH_SERVER_ARGS:-}
    local pid=$STARTED_PID
    local url="http://127.0.0.1:${SERVER_PORT}/webhooks/relay"
    # 60 s: on two busy cores C2 was still compiling the hot paths 60 s into the load, at 0.3 of
    # the server's 1.0 core (after 5 s: 544-600 done/s; 30 s: 822; 60 s: 884, the compiler quiet).
    log "relay: JIT warm-up ($RELAY_WARMUP s at 32 connections, drained, not recorded)"
    load "$RESULTS/load-$scenario-warmup-$rep.txt" "$pid" --url "$url" --secret "$SECRET" --connections 32 \
        --duration "${RELAY_WARMUP}s" --warmup 0
    local warm; warm=$(field "$LOAD_RESULT" accepted)
    relay_drain "$db" "$warm"
    local calls0; calls0=$(curl -fsS "http://127.0.0.1:${CEILING_PORT}/_count")
    local commits0; commits0=$(psql_on "$db" -c "select xact_commit from pg_stat_database where datname = '$db'")
    local since; since=$(psql_on "$db" -c "select now()")
    local s0 p0 st0 j0 w0; s0=$(cpu_ticks "$pid"); p0=$(pg_ticks); st0=$(cpu_ticks "$stub"); j0=$(jit_ticks "$pid"); w0=$(now_ms)
    load "$RESULTS/load-$scenario-$rep.txt" "$pid" --url "$url" --secret "$SECRET" --connections 32 \
        --duration "${SECONDS_PER_RUN}s" --warmup 0
    local ingest_per_s; ingest_per_s=$(field "$LOAD_RESULT" events_per_s)
    local sent; sent=$(field "$LOAD_RESULT" accepted)
    relay_drain "$db" "$((warm + sent))"
    local s1 p1 st1 j1 w1; s1=$(cpu_ticks "$pid"); p1=$(pg_ticks); st1=$(cpu_ticks "$stub"); j1=$(jit_ticks "$pid"); w1=$(now_ms)
    local calls1; calls1=$(curl -fsS "http://127.0.0.1:${CEILING_PORT}/_count")
    local commits1; commits1=$(psql_on "$db" -c "select xact_commit from pg_stat_database where datname = '$db'")
    local done dead seconds p50 p99
    read -r done dead seconds p50 p99 < <(psql_on "$db" -F ' ' -c "select count(*) filter (where status = 'DONE'),
        count(*) filter (where status = 'DEAD'),
        round(extract(epoch from max(finished_at) - min(received_at))::numeric, 2),
        round((percentile_cont(0.5) within group (order by extract(epoch from finished_at - received_at)) * 1000)::numeric, 0),
        round((percentile_cont(0.99) within group (order by extract(epoch from finished_at - received_at)) * 1000)::numeric, 0)
        from event where integration = 'relay' and received_at >= '$since'")
    local calls=$((calls1 - calls0))
    local wall; wall=$(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.2f", (b - a) / 1000}')
    record "$rep" "$scenario" "$variant" accepted "$sent"
    record "$rep" "$scenario" "$variant" ingest_per_s "$ingest_per_s"
    record "$rep" "$scenario" "$variant" done "$done"
    record "$rep" "$scenario" "$variant" dead "$dead"
    record "$rep" "$scenario" "$variant" downstream_calls "$calls"
    record "$rep" "$scenario" "$variant" done_per_s "$(awk -v n="$done" -v s="$seconds" 'BEGIN {printf "%.1f", (s > 0 ? n / s : 0)}')"
    record "$rep" "$scenario" "$variant" p50_ms "$p50"
    record "$rep" "$scenario" "$variant" p99_ms "$p99"
    record "$rep" "$scenario" "$variant" commits_per_event "$(awk -v c="$((commits1 - commits0))" -v n="$done" 'BEGIN {printf "%.2f", (n > 0 ? c / n : 0)}')"
    record "$rep" "$scenario" "$variant" server_cores "$(awk -v t="$((s1 - s0))" -v hz="$HZ" -v s="$wall" 'BEGIN {printf "%.2f", t / hz / s}')"
    record "$rep" "$scenario" "$variant" pg_cores "$(awk -v t="$((p1 - p0))" -v hz="$HZ" -v s="$wall" 'BEGIN {printf "%.2f", t / hz / s}')"
    record "$rep" "$scenario" "$variant" stub_cores "$(awk -v t="$((st1 - st0))" -v hz="$HZ" -v s="$wall" 'BEGIN {printf "%.2f", t / hz / s}')"
    # Of the server's cores, the JIT compiler's: near 0 once warm; much more means the window measured compiling.
    record "$rep" "$scenario" "$variant" jit_cores "$(awk -v t="$((j1 - j0))" -v hz="$HZ" -v s="$wall" 'BEGIN {printf "%.2f", t / hz / s}')"
    # CPU per event done, in ms: the server's (without its JIT) and PostgreSQL's.
    record "$rep" "$scenario" "$variant" server_cpu_ms_per_event "$(awk -v t="$((s1 - s0 - j1 + j0))" -v hz="$HZ" -v n="$done" 'BEGIN {printf "%.2f", (n > 0 ? t / hz * 1000 / n : 0)}')"
    record "$rep" "$scenario" "$variant" pg_cpu_ms_per_event "$(awk -v t="$((p1 - p0))" -v hz="$HZ" -v n="$done" 'BEGIN {printf "%.2f", (n > 0 ? t / hz * 1000 / n : 0)}')"
    record "$rep" "$scenario" "$variant" rss_mb "$(rss_mb "$pid")"
    record "$rep" "$scenario" "$variant" threads "$(ps -o nlwp= -p "$pid" | tr -d ' ')"
    log "$scenario ($variant): $(ps -o nlwp= -p "$pid" | tr -d ' ') threads, RSS $(rss_mb "$pid") MB; $sent accepted at $ingest_per_s/s while processing; $done DONE, $dead DEAD, $calls downstream calls, in $seconds s from first accepted to last done = $(awk -v n="$done" -v s="$seconds" 'BEGIN {printf "%.1f", (s > 0 ? n / s : 0)}') events/s; receipt to done p50 $p50 ms p99 $p99 ms; $(awk -v c="$((commits1 - commits0))" -v n="$done" 'BEGIN {printf "%.2f", (n > 0 ? c / n : 0)}') commits per event"
    [[ "$calls" -eq "$done" ]] || log "WARNING: $calls downstream calls for $done events done"
    stop_pid "$pid"; stop_pid "$stub"
}

# peers_relay repetition : Node-RED's relay (bench/peers.sh relay: the same flow, stub and load
# generator, 32 connections, nothing stored) and the ratio to Switchboard's relay of this repetition.
peers_relay() {
    local rep=$1 line theirs ours
    peers_wanted || return 0
    if line=$(BENCH_SECONDS=$SECONDS_PER_RUN bash "$ROOT/bench/peers.sh" "$CSV" relay "$rep" | grep '^PEERS '); then
        theirs=$(field "$line" per_s)
        ours=$(awk -F, -v r="$rep" '$1 == r && $2 == "relay" && $3 == "relay" && $4 == "done_per_s" {print $5}' "$CSV" | tail -n 1)
        [[ -n "$ours" ]] && log "relay: Switchboard $ours done/s / Node-RED $theirs/s = $(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
    else
        log "relay: Node-RED not measured (see above)"
    fi
}

# relay_settled database : how many relay events are DONE or DEAD, or 0 while any still waits in the
# inbox. The inbox holds only unsettled events, so the journal is counted once, when it is empty: a
# count over the whole journal every 0.2 s took 0.5 s of PostgreSQL's CPU each at 60,000 events,
# most of a core taken from the server while it drained (measured with pg_stat_statements).
relay_settled() {
    psql_on "$1" -c "select case when exists (select 1 from inbox where integration = 'relay') then 0
        else (select count(*) from event where integration = 'relay' and status in ('DONE', 'DEAD')) end"
}

# relay_drain database total : waits (at most 10 minutes) until that many relay events are DONE or DEAD.
relay_drain() {
    local db=$1 total=$2 finished=0 deadline=$((SECONDS + 600))
    while ((SECONDS < deadline)); do
        finished=$(relay_settled "$db")
        ((finished >= total)) && return 0
        sleep 0.2
    done
    die "relay: $total events not all finished within 10 minutes (0 means some still wait in the inbox)"
}

# ---------------------------------------------------------------- queue (the queue trigger against its ceiling)

# rabbit add|delete vhost : the scenario's own vhost, through the management API when it answers,
# else rabbitmqctl (on the broker's machine).
rabbit() {
    local api="http://${AMQP_HOST}:${AMQP_MANAGEMENT_PORT}/api"
    if curl -fsS --max-time 2 -o /dev/null -u "${AMQP_USER}:${AMQP_PASSWORD}" "$api/overview" 2>/dev/null; then
        local vhost; vhost=$(printf %s "$2" | sed 's|/|%2F|g')
        if [[ $1 == add ]]; then
            curl -fsS -o /dev/null -u "${AMQP_USER}:${AMQP_PASSWORD}" -X PUT "$api/vhosts/$vhost" \
                && curl -fsS -o /dev/null -u "${AMQP_USER}:${AMQP_PASSWORD}" -X PUT -H 'Content-Type: application/json' \
                    -d '{"configure":".*","write":".*","read":".*"}' "$api/permissions/$vhost/${AMQP_USER}"
        else
            curl -fsS -o /dev/null -u "${AMQP_USER}:${AMQP_PASSWORD}" -X DELETE "$api/vhosts/$vhost"
        fi
    elif command -v rabbitmqctl >/dev/null; then
        if [[ $1 == add ]]; then
            rabbitmqctl add_vhost "$2" >/dev/null && rabbitmqctl set_permissions -p "$2" "$AMQP_USER" '.*' '.*' '.*' >/dev/null
        else
            rabbitmqctl delete_vhost "$2" >/dev/null
        fi
    else
        log "queue: neither RabbitMQ's management API (port ${AMQP_MANAGEMENT_PORT}) nor rabbitmqctl"; return 1
    fi
}

# queue_wait what total : waits (at most 10 minutes) until the count that "what" prints reaches total.
queue_wait() {
    local deadline=$((SECONDS + 600)) got=0
    while ((SECONDS < deadline)); do
        got=$($1); ((got >= $2)) && return 0
        sleep 0.1
    done
    die "queue: only $got of $2 finished within 10 minutes"
}

# queue repetition : messages from a RabbitMQ queue to DONE through Switchboard's queue trigger
# (the relay's route, bench/routes/relay.camel.yaml, with trigger queue: each message stored,
# acknowledged, then one POST to the counting stub), beside a plain Camel spring-rabbitmq consumer
# making the same mapping and POST with nothing stored (bench/QueueCeiling.java, the ceiling).
# Each: a quarter of BENCH_QUEUE_MESSAGES to warm up (drained), then BENCH_QUEUE_MESSAGES
# published at once (persistent, confirmed, to a quorum queue of the run's own vhost); the rate is
# messages over the time from the first publish to the last call (Switchboard: to the last DONE).
queue() {
    local rep=$1 n=$QUEUE_MESSAGES warm=$((QUEUE_MESSAGES / 4))
    local vhost="switchboard-bench-$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')"
    rabbit add "$vhost" || { log "queue: cannot make the vhost $vhost; not measured"; return 0; }
    VHOSTS+=("$vhost")
    local uri="amqp://${AMQP_USER}:${AMQP_PASSWORD}@${AMQP_HOST}:${AMQP_PORT}/${vhost}"
    for q in bench-relay bench-ceiling; do
        java -cp "$QUEUE_LIB/*" bench/QueuePublisher.java "$uri" "$q" declare >"$RESULTS/queue-declare-$rep.log" 2>&1 \
            || die "queue: cannot declare $q (see $RESULTS/queue-declare-$rep.log)"
    done
    local consumers=${BENCH_RELAY_CONCURRENCY:-32}

    # Switchboard: the relay with trigger queue on PostgreSQL.
    new_database; local db=$NEW_DB
    start_stub bench/HttpCeiling.java $CEILING_PORT "$RESULTS/queue-stub-$rep.log"; local stub=$STUB_PID
    BENCH_BROKER_PASSWORD="$AMQP_PASSWORD" start_java queue $SERVER_PORT "$RESULTS/server-queue-$rep.log" \
        --spring.profiles.active=default,postgres \
        "--spring.datasource.url=jdbc:postgresql://${PG_HOST}:${PG_PORT}/${db}" "--spring.datasource.username=${PG_USER}" \
        "--camel.main.routes-include-pattern=file:routes/*.camel.yaml,file:bench/routes/*.camel.yaml" \
        --switchboard.integrations.relay.trigger=queue \
        --switchboard.integrations.relay.source.connection=bench-broker \
        --switchboard.integrations.relay.source.queue=bench-relay \
        "--switchboard.integrations.relay.card.description=bench: one POST downstream per queued message" \
        --switchboard.integrations.relay.card.owner=bench \
        --switchboard.integrations.relay.inbox.concurrency="$consumers" \
        --switchboard.connections.bench-broker.kind=amqp \
        "--switchboard.connections.bench-broker.url=amqp://${AMQP_HOST}:${AMQP_PORT}/${vhost}" \
        "--switchboard.connections.bench-broker.username=${AMQP_USER}" \
        '--switchboard.connections.bench-broker.password=${BENCH_BROKER_PASSWORD}' \
        "--switchboard.connections.relay-target.base-url=http://127.0.0.1:${CEILING_PORT}" \
        --switchboard.connections.relay-target.rate-limit=$UNLIMITED \
        --switchboard.connections.relay-target.max-concurrent="$consumers" \
        --spring.datasource.hikari.maximum-pool-size=40 ${BENCH_SERVER_ARGS:-}
    local pid=$STARTED_PID
    queue_done() { relay_settled "$db"; }
    log "queue: Switchboard, $warm messages to warm up"
    java -cp "$QUEUE_LIB/*" bench/QueuePublisher.java "$uri" bench-relay count "$warm" >"$RESULTS/queue-publish-warmup-$rep.log" 2>&1 \
        || die "queue: publishing failed (see $RESULTS/queue-publish-warmup-$rep.log)"
    queue_wait queue_done "$warm"
    local calls0 s0 p0 w0; calls0=$(curl -fsS "http://127.0.0.1:${CEILING_PORT}/_count"); s0=$(cpu_ticks "$pid"); p0=$(pg_ticks); w0=$(now_ms)
    local since; since=$(psql_on "$db" -c "select now()")
    java -cp "$QUEUE_LIB/*" bench/QueuePublisher.java "$uri" bench-relay count "$n" >"$RESULTS/queue-publish-$rep.log" 2>&1 \
        || die "queue: publishing failed (see $RESULTS/queue-publish-$rep.log)"
    queue_wait queue_done "$((warm + n))"
    local w1 s1 p1 calls1; w1=$(now_ms); s1=$(cpu_ticks "$pid"); p1=$(pg_ticks); calls1=$(curl -fsS "http://127.0.0.1:${CEILING_PORT}/_count")
    local done dead events intake_s
    read -r done dead events intake_s < <(psql_on "$db" -F ' ' -c "select count(*) filter (where status = 'DONE'),
        count(*) filter (where status = 'DEAD'), count(*),
        round(extract(epoch from max(received_at) - min(received_at))::numeric, 2)
        from event where integration = 'relay' and received_at >= '$since'")
    local seconds; seconds=$(awk -v ms="$((w1 - w0))" 'BEGIN {printf "%.2f", ms / 1000}')
    local ours; ours=$(awk -v n="$done" -v s="$seconds" 'BEGIN {printf "%.1f", n / s}')
    record "$rep" queue switchboard per_s "$ours"
    record "$rep" queue switchboard intake_per_s "$(awk -v n="$events" -v s="$intake_s" 'BEGIN {printf "%.1f", (s > 0 ? n / s : 0)}')"
    record "$rep" queue switchboard done "$done"
    record "$rep" queue switchboard dead "$dead"
    record "$rep" queue switchboard lost "$((n - events < 0 ? 0 : n - events))"
    record "$rep" queue switchboard duplicated "$((events - n < 0 ? 0 : events - n))"
    record "$rep" queue switchboard downstream_calls "$((calls1 - calls0))"
    record "$rep" queue switchboard server_cores "$(awk -v t="$((s1 - s0))" -v hz="$HZ" -v s="$seconds" 'BEGIN {printf "%.2f", t / hz / s}')"
    record "$rep" queue switchboard pg_cores "$(awk -v t="$((p1 - p0))" -v hz="$HZ" -v s="$seconds" 'BEGIN {printf "%.2f", t / hz / s}')"
    record "$rep" queue switchboard rss_mb "$(rss_mb "$pid")"
    log "queue: Switchboard $n messages in $seconds s = $ours DONE/s (stored at $(awk -v n="$events" -v s="$intake_s" 'BEGIN {printf "%.1f", (s > 0 ? n / s : 0)}')/s); $events events, $done DONE, $dead DEAD, $((calls1 - calls0)) calls"
    [[ "$events" -eq "$n" && "$((calls1 - calls0))" -eq "$done" ]] || log "WARNING: $n published, $events events, $done DONE, $((calls1 - calls0)) calls"
    stop_pid "$pid"

    # The ceiling: plain Camel, same broker, same stub, as many calls in flight.
    QUEUE_CEILING_PASSWORD="$AMQP_PASSWORD" java -cp "$QUEUE_LIB/*" bench/QueueCeiling.java "$AMQP_HOST" "$AMQP_PORT" "$vhost" \
        "$AMQP_USER" bench-ceiling "http://127.0.0.1:${CEILING_PORT}/things" "$consumers" >"$RESULTS/queue-ceiling-$rep.log" 2>&1 &
    local ceiling=$!; PIDS+=("$ceiling")
    local deadline=$((SECONDS + 120))
    until grep -q '^queue ceiling consuming' "$RESULTS/queue-ceiling-$rep.log" 2>/dev/null; do
        kill -0 "$ceiling" 2>/dev/null && ((SECONDS < deadline)) || { tail -20 "$RESULTS/queue-ceiling-$rep.log" >&2; die "queue: the ceiling did not start"; }
        sleep 0.2
    done
    local base; base=$(curl -fsS "http://127.0.0.1:${CEILING_PORT}/_count")
    calls_made() { echo $(( $(curl -fsS "http://127.0.0.1:${CEILING_PORT}/_count") - base )); }
    log "queue: plain Camel (spring-rabbitmq, nothing stored), $warm messages to warm up"
    java -cp "$QUEUE_LIB/*" bench/QueuePublisher.java "$uri" bench-ceiling count "$warm" >"$RESULTS/queue-ceiling-publish-warmup-$rep.log" 2>&1 \
        || die "queue: publishing failed"
    queue_wait calls_made "$warm"
    s0=$(cpu_ticks "$ceiling"); w0=$(now_ms)
    java -cp "$QUEUE_LIB/*" bench/QueuePublisher.java "$uri" bench-ceiling count "$n" >"$RESULTS/queue-ceiling-publish-$rep.log" 2>&1 \
        || die "queue: publishing failed"
    queue_wait calls_made "$((warm + n))"
    w1=$(now_ms); s1=$(cpu_ticks "$ceiling")
    seconds=$(awk -v ms="$((w1 - w0))" 'BEGIN {printf "%.2f", ms / 1000}')
    local theirs; theirs=$(awk -v n="$n" -v s="$seconds" 'BEGIN {printf "%.1f", n / s}')
    record "$rep" queue camel-ceiling per_s "$theirs"
    record "$rep" queue camel-ceiling calls "$(( $(calls_made) - warm ))"
    record "$rep" queue camel-ceiling camel_cores "$(awk -v t="$((s1 - s0))" -v hz="$HZ" -v s="$seconds" 'BEGIN {printf "%.2f", t / hz / s}')"
    log "queue: plain Camel $n messages in $seconds s = $theirs calls/s; Switchboard / ceiling = $(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
    stop_pid "$ceiling"; stop_pid "$stub"
    rabbit delete "$vhost" || log "queue: could not delete the vhost $vhost; delete it by hand"
    VHOSTS=("${VHOSTS[@]/$vhost}")
}

start_pair() { # repetition -> SANDBOX_DB SERVER_DB SANDBOX_PID SERVER_PID
    local rep=$1
    new_database; SANDBOX_DB=$NEW_DB
    new_database; SERVER_DB=$NEW_DB
    # The sandbox stands in for other companies' SaaS systems: their commits and disks are
    # theirs, so the sandbox's database does not wait for the disk at each commit. Ours does.
    psql_on postgres -c "alter database ${SANDBOX_DB} set synchronous_commit = off" >/dev/null
    # Its tables start empty and grow by 100,000 rows within seconds; a plan cached while
    # one was empty (a sequential scan) would make the simulated CRM, not Switchboard, the
    # subject of the measurement.
    psql_on postgres -c "alter database ${SANDBOX_DB} set plan_cache_mode = force_custom_plan" >/dev/null
    # The sandbox process: simulated CRM, mail, billing and chat, no integration routes,
    # its rate limits lifted and no invoices changing on their own during the run. Its tokens
    # live an hour: Node-RED's chain (bench/peers.sh) fetches them once, as a flow would keep them. Its
    # database pool is 48 (the server's is 40; PostgreSQL allows 100): with the default 20, the simulated
    # systems' requests queued for a connection (thread dumps: Hikari hand-offs) and the
    # chain measured that queue.
    start_java sandbox $SANDBOX_PORT "$RESULTS/sandbox-$rep.log" --spring.profiles.active=default,postgres \
        "--spring.datasource.url=jdbc:postgresql://${PG_HOST}:${PG_PORT}/${SANDBOX_DB}" "--spring.datasource.username=${PG_USER}" \
        "--switchboard.routes.directory=$WORK/no-routes" --switchboard.sandbox.crm.rate-limit=0 \
        --spring.datasource.hikari.maximum-pool-size=48 \
        --switchboard.sandbox.billing.change-every=24h --switchboard.sandbox.billing.seed-invoices=12 \
        --switchboard.sandbox.crm.token-ttl=1h --switchboard.sandbox.oauth.access-token-ttl=1h
    SANDBOX_PID=$STARTED_PID
    local sandbox="http://127.0.0.1:${SANDBOX_PORT}/sandbox"
    # The server's queue triggers stay off: the demo's order-intake would consume the sandbox
    # process's stand-in broker, whose password that process generated for itself (a refused
    # login aborted the server's start), and no scenario of the pair measures it.
    start_java server $SERVER_PORT "$RESULTS/server-pair-$rep.log" --spring.profiles.active=default,postgres \
        "--spring.datasource.url=jdbc:postgresql://${PG_HOST}:${PG_PORT}/${SERVER_DB}" "--spring.datasource.username=${PG_USER}" \
        --switchboard.sandbox.enabled=false "--switchboard.sandbox.base-url=$sandbox" \
        "--switchboard.alerting.chat.webhook-url=$sandbox/chat/messages/demo-only-chat-webhook-token" \
        "--switchboard.alerting.email.url=$sandbox/mail/messages" \
        --switchboard.integrations.lead-intake.webhook.rate-limit=0 \
        --switchboard.integrations.lead-intake.inbox.concurrency="${BENCH_CHAIN_CONCURRENCY:-64}" \
        --switchboard.queue.enabled=false \
        --spring.datasource.hikari.maximum-pool-size=40 \
        --switchboard.connections.crm.rate-limit=$UNLIMITED --switchboard.connections.crm.max-concurrent=64 \
        --switchboard.connections.mail.rate-limit=$UNLIMITED --switchboard.connections.mail.max-concurrent=32 \
        --switchboard.connections.chat.rate-limit=$UNLIMITED --switchboard.connections.chat.max-concurrent=32 \
        --switchboard.connections.billing.rate-limit=$UNLIMITED --switchboard.connections.billing.max-concurrent=32 \
        --switchboard.reference.invoice-sync.page-size="${BENCH_SYNC_PAGE_SIZE:-1000}" \
        "--switchboard.reference.invoice-sync.cron=0 0 0 1 1 ? 2099" \
        "--switchboard.security.api-keys.bench-lookup.sha256=$LOOKUP_KEY_SHA" \
        --switchboard.security.api-keys.bench-lookup.role=viewer ${BENCH_SERVER_ARGS:-}
    SERVER_PID=$STARTED_PID
    connect_chat $SERVER_PORT
}

# drain sent : waits (at most 10 minutes) until that many leads are DONE or DEAD; sets done/dead.
drain() {
    local deadline=$((SECONDS + 600))
    while ((SECONDS < deadline)); do
        read -r done dead < <(psql_on "$SERVER_DB" -F ' ' -c "select count(*) filter (where status = 'DONE'),
            count(*) filter (where status = 'DEAD') from event where integration = 'lead-intake'")
        ((done + dead >= $1)) && return 0
        sleep 0.5
    done
    log "chain: not drained within 10 minutes ($done DONE, $dead DEAD of $1)"
}

chain() { # repetition
    local rep=$1
    local url="http://127.0.0.1:${SERVER_PORT}/webhooks/lead-intake"
    local done=0 dead=0
    # Both JVMs compile the chain's code paths first (the JIT takes most of a core for a
    # minute); those leads are counted for loss and duplicates but not for the rate.
    local warmup=$CHAIN_WARMUP_LEADS
    log "chain: $warmup leads to warm up, drained before the measured batch"
    load "$RESULTS/load-chain-warmup-$rep.txt" "$SERVER_PID" --url "$url" --secret "$SECRET" --connections 16 \
        --requests "$warmup" --duration 120s --warmup 0
    local warm; warm=$(field "$LOAD_RESULT" accepted)
    drain "$warm"
    local t0; t0=$(now_ms)
    log "chain: sending $CHAIN_LEADS leads"
    load "$RESULTS/load-chain-$rep.txt" "$SERVER_PID" --url "$url" --secret "$SECRET" --connections 16 \
        --requests "$CHAIN_LEADS" --duration 120s --warmup 0
    local sent; sent=$(($(field "$LOAD_RESULT" accepted) + warm))
    local s0 sb0 p0; s0=$(cpu_ticks "$SERVER_PID"); sb0=$(cpu_ticks "$SANDBOX_PID"); p0=$(pg_ticks)
    drain "$sent"
    done=$((done - warm))
    local elapsed_ms=$(($(now_ms) - t0))
    local s1 sb1 p1; s1=$(cpu_ticks "$SERVER_PID"); sb1=$(cpu_ticks "$SANDBOX_PID"); p1=$(pg_ticks)
    local seconds; seconds=$(awk -v ms="$elapsed_ms" 'BEGIN {printf "%.2f", ms / 1000}')
    # Exactly one contact, task and e-mail per lead (the load generator's addresses are
    # lead+<worker>.<n>@bench.switchboard.dev): lost = leads without, duplicated = extra rows.
    local run_id; run_id=$(field "$LOAD_RESULT" run_id)
    local contacts tasks mails dup_contacts dup_mails
    read -r contacts dup_contacts < <(psql_on "$SANDBOX_DB" -F ' ' -c "select count(distinct email), count(*) - count(distinct email)
        from sandbox_crm_contact where email like 'lead+%@bench.switchboard.dev'")
    read -r mails dup_mails < <(psql_on "$SANDBOX_DB" -F ' ' -c "select count(distinct recipient), count(*) - count(distinct recipient)
        from sandbox_mail_message where recipient like 'lead+%@bench.switchboard.dev'")
    tasks=$(psql_on "$SANDBOX_DB" -c "select count(distinct t.contact_id) from sandbox_crm_task t
        join sandbox_crm_contact c on c.id = t.contact_id where c.email like 'lead+%@bench.switchboard.dev'")
    local per_s; per_s=$(awk -v n="$done" -v s="$seconds" 'BEGIN {printf "%.1f", n / s}')
    record "$rep" chain lead-intake per_s "$per_s"
    record "$rep" chain lead-intake seconds "$seconds"
    record "$rep" chain lead-intake dead "$dead"
    record "$rep" chain lead-intake lost "$((sent - contacts < 0 ? 0 : sent - contacts))"
    record "$rep" chain lead-intake duplicated "$((dup_contacts + dup_mails))"
    record "$rep" chain lead-intake missing_tasks "$((contacts - tasks))"
    record "$rep" chain lead-intake missing_mails "$((contacts - mails))"
    record "$rep" chain lead-intake rss_mb "$(rss_mb "$SERVER_PID")"
    record "$rep" chain lead-intake server_cores "$(awk -v t="$((s1 - s0))" -v hz="$HZ" -v s="$seconds" 'BEGIN {printf "%.2f", t / hz / s}')"
    record "$rep" chain lead-intake sandbox_cores "$(awk -v t="$((sb1 - sb0))" -v hz="$HZ" -v s="$seconds" 'BEGIN {printf "%.2f", t / hz / s}')"
    record "$rep" chain lead-intake pg_cores "$(awk -v t="$((p1 - p0))" -v hz="$HZ" -v s="$seconds" 'BEGIN {printf "%.2f", t / hz / s}')"
    if ((dead > 0)); then
        log "chain: why leads were parked: $(psql_on "$SERVER_DB" -c "select count(*) || ' x ' || coalesce(last_error, '?')
            from event where integration = 'lead-intake' and status = 'DEAD' group by last_error order by count(*) desc limit 3")"
    fi
    log "chain: $sent leads sent ($warm to warm up), $done measured DONE, $dead DEAD in all, in $seconds s = $per_s leads/s; contacts $contacts (+$dup_contacts duplicated), tasks $tasks, mails $mails (+$dup_mails duplicated)"
    peers_chain "$rep" "$per_s"
}

# peers_chain repetition switchboard_per_s : Node-RED's lead chain (bench/peers.sh chain) against
# the same simulated systems' process, right after Switchboard's chain (its server idles
# meanwhile: nothing waits in its inbox). A chain counts when Node-RED answered 202, which it does
# only after the fifth call; the sandbox's rows for that run's leads are counted to confirm it.
peers_chain() {
    peers_wanted || return 0
    local rep=$1 ours=$2 line
    local s0 w0; s0=$(cpu_ticks "$SERVER_PID"); w0=$(now_ms)
    line=$(PEERS_SANDBOX="http://127.0.0.1:${SANDBOX_PORT}/sandbox" PEERS_CHAIN_LEADS="$CHAIN_LEADS" \
        PEERS_CHAIN_WARMUP_LEADS="$CHAIN_WARMUP_LEADS" \
        PEERS_CHAIN_CONNECTIONS="${BENCH_CHAIN_CONCURRENCY:-64}" bash "$ROOT/bench/peers.sh" "$CSV" chain "$rep" | grep '^PEERS ') \
        || { log "chain: Node-RED not measured (see above)"; return 0; }
    local idle; idle=$(awk -v t="$(($(cpu_ticks "$SERVER_PID") - s0))" -v hz="$HZ" -v ms="$(($(now_ms) - w0))" 'BEGIN {printf "%.2f", t / hz / (ms / 1000)}')
    local theirs run accepted; theirs=$(field "$line" per_s); run=$(field "$line" run_id); accepted=$(field "$line" accepted)
    local contacts tasks mails chats
    read -r contacts tasks mails < <(psql_on "$SANDBOX_DB" -F ' ' -c "select count(distinct c.email),
        (select count(distinct t.contact_id) from sandbox_crm_task t join sandbox_crm_contact c2 on c2.id = t.contact_id
         where c2.email like 'lead+${run}.%'),
        (select count(distinct recipient) from sandbox_mail_message where recipient like 'lead+${run}.%')
        from sandbox_crm_contact c where c.email like 'lead+${run}.%'")
    chats=$(psql_on "$SANDBOX_DB" -c "select count(*) from sandbox_chat_message where message_text like '%<lead+${run}.%'")
    record "$rep" peers node-red-chain contacts "$contacts"
    record "$rep" peers node-red-chain chats "$chats"
    record "$rep" peers node-red-chain switchboard_idle_cores "$idle"
    log "chain: Node-RED $theirs leads/s ($accepted chains answered 202; the sandbox holds $contacts contacts, $tasks tasks, $mails mails, $chats chat messages of that run; Switchboard idle meanwhile at $idle cores)"
    ((chats >= accepted && tasks >= accepted && mails >= accepted)) \
        || log "WARNING: Node-RED answered 202 for $accepted chains but the sandbox holds fewer rows"
    log "chain: Switchboard / Node-RED = $(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
}

# Node-RED beside the chain and the lookup, unless BENCH_PEERS=0 or Node.js is missing.
peers_wanted() {
    [[ "${BENCH_PEERS:-1}" == 1 ]] || return 1
    command -v node >/dev/null && command -v npm >/dev/null && return 0
    log "Node-RED not measured: no node/npm (BENCH_PEERS=0 skips it)"; return 1
}

lookup() { # repetition
    local rep=$1
    load "$RESULTS/load-lookup-$rep.txt" "$SERVER_PID" \
        --url "http://127.0.0.1:${SERVER_PORT}/api/integrations/customer-lookup" \
        --lookup-emails "$LOOKUP_EMAILS" --api-key "$LOOKUP_KEY" --connections 32 \
        --duration "${SECONDS_PER_RUN}s" --warmup 5s
    record_load "$rep" lookup customer-lookup-32
}

sync_invoices() { # repetition
    local rep=$1
    # The card's schedule (every minute in the demo) has run during the chain, and would run
    # during this one: stopped, so the run measured is the one started below, alone.
    stop_route $SERVER_PORT invoice-sync-schedule
    # 100,000 invoices changed in billing since the last run, written straight into the
    # sandbox's table (setup, not measured): open, version 1, one microsecond apart, right
    # after the watermark the last run left (a change dated before it is not "since the last
    # run": a watermark sync rightly leaves it for the nightly reconciliation).
    local since; since=$(psql_on "$SERVER_DB" -c "select coalesce(to_char(max(watermark_to) at time zone 'UTC',
        'YYYY-MM-DD\"T\"HH24:MI:SS.US'), to_char((now() - interval '2 hours') at time zone 'UTC',
        'YYYY-MM-DD\"T\"HH24:MI:SS.US')) from sync_run where integration = 'invoice-sync' and status = 'OK'")
    psql_on "$SANDBOX_DB" -c "insert into sandbox_billing_invoice (id, customer_id, amount_cents, currency,
        invoice_status, invoice_version, issued_at, updated_at)
        select 'inv_bench_' || lpad(g::text, 7, '0'), 'cus_00' || (1 + g % 5), 1000 * (5 + g % 495), 'EUR', 'open', 1,
               timestamptz '${since}Z' + g * interval '1 microsecond', timestamptz '${since}Z' + g * interval '1 microsecond'
        from generate_series(1, ${SYNC_INVOICES}) g" >/dev/null
    psql_on "$SANDBOX_DB" -c "analyze" >/dev/null
    local billing; billing=$(psql_on "$SANDBOX_DB" -c "select count(*) from sandbox_billing_invoice")
    log "sync: $billing invoices in billing; one run of invoice-sync"
    local s0 sb0 p0; s0=$(cpu_ticks "$SERVER_PID"); sb0=$(cpu_ticks "$SANDBOX_PID"); p0=$(pg_ticks)
    local t0; t0=$(now_ms)
    jolokia $SERVER_PORT '{"type":"exec","mbean":"org.apache.camel:context=switchboard,type=context,name=\"switchboard\"","operation":"sendBody(java.lang.String,java.lang.Object)","arguments":["direct:invoice-sync",null]}' 1200 \
        >"$RESULTS/sync-$rep.json" || die "the sync run could not be started"
    local elapsed_ms=$(($(now_ms) - t0))
    local s1 sb1 p1; s1=$(cpu_ticks "$SERVER_PID"); sb1=$(cpu_ticks "$SANDBOX_PID"); p1=$(pg_ticks)
    local status upserted records duration_ms watermark
    read -r status upserted records duration_ms watermark < <(psql_on "$SERVER_DB" -F ' ' -c "select status, upserted, records,
        duration_ms, to_char(watermark_to at time zone 'UTC', 'YYYYMMDDHH24MISSMS') from sync_run
        where integration = 'invoice-sync' order by started_at desc limit 1")
    local newest crm
    newest=$(psql_on "$SANDBOX_DB" -c "select to_char(max(updated_at) at time zone 'UTC', 'YYYYMMDDHH24MISSMS') from sandbox_billing_invoice")
    crm=$(psql_on "$SANDBOX_DB" -c "select count(*) from sandbox_crm_invoice")
    local seconds; seconds=$(awk -v ms="$elapsed_ms" 'BEGIN {printf "%.2f", ms / 1000}')
    record "$rep" sync invoice-sync per_s "$(awk -v n="$upserted" -v s="$seconds" 'BEGIN {printf "%.1f", n / s}')"
    record "$rep" sync invoice-sync seconds "$seconds"
    record "$rep" sync invoice-sync upserted "$upserted"
    record "$rep" sync invoice-sync missing_in_crm "$((billing - crm))"
    record "$rep" sync invoice-sync watermark_ok "$([[ "$status" == OK && "$watermark" == "$newest" ]] && echo 1 || echo 0)"
    record "$rep" sync invoice-sync rss_mb "$(rss_mb "$SERVER_PID")"
    record "$rep" sync invoice-sync server_cores "$(awk -v t="$((s1 - s0))" -v hz="$HZ" -v s="$seconds" 'BEGIN {printf "%.2f", t / hz / s}')"
    record "$rep" sync invoice-sync sandbox_cores "$(awk -v t="$((sb1 - sb0))" -v hz="$HZ" -v s="$seconds" 'BEGIN {printf "%.2f", t / hz / s}')"
    record "$rep" sync invoice-sync pg_cores "$(awk -v t="$((p1 - p0))" -v hz="$HZ" -v s="$seconds" 'BEGIN {printf "%.2f", t / hz / s}')"
    log "sync: run $status, $upserted upserted of $records read in $seconds s; CRM holds $crm of $billing; watermark $watermark, newest change $newest"
}

# lookup_fast repetition : customer-lookup with its two systems answering from memory
# (bench/SystemsStub.java, microseconds per answer), so the figure is Switchboard's own cost
# per lookup: the issue's target is "while both systems answer within 2 ms", which the
# simulated systems (state in PostgreSQL, a full Spring stack per call) do not.
lookup_fast() {
    local rep=$1
    new_database; local db=$NEW_DB
    start_stub bench/SystemsStub.java $STUB_PORT "$RESULTS/lookup-stub-$rep.log"
    local systems="http://127.0.0.1:${STUB_PORT}"
    start_java lookup $SERVER_PORT "$RESULTS/server-lookup-fast-$rep.log" --spring.profiles.active=default,postgres \
        "--spring.datasource.url=jdbc:postgresql://${PG_HOST}:${PG_PORT}/${db}" "--spring.datasource.username=${PG_USER}" \
        --switchboard.sandbox.enabled=false "--switchboard.sandbox.base-url=$systems/none" \
        "--switchboard.connections.crm.base-url=$systems/crm" "--switchboard.connections.crm.auth.token-uri=$systems/oauth/token" \
        --switchboard.connections.crm.auth.client-id=bench --switchboard.connections.crm.auth.client-secret=bench-secret \
        "--switchboard.connections.billing.base-url=$systems/billing" --switchboard.connections.billing.auth.key=bench-key \
        --switchboard.connections.crm.rate-limit=$UNLIMITED --switchboard.connections.crm.max-concurrent=64 \
        --switchboard.connections.billing.rate-limit=$UNLIMITED --switchboard.connections.billing.max-concurrent=64 \
        "--switchboard.reference.invoice-sync.cron=0 0 0 1 1 ? 2099" \
        "--switchboard.security.api-keys.bench-lookup.sha256=$LOOKUP_KEY_SHA" \
        --switchboard.security.api-keys.bench-lookup.role=viewer
    local pid=$STARTED_PID
    load "$RESULTS/load-lookup-fast-$rep.txt" "$pid" \
        --url "http://127.0.0.1:${SERVER_PORT}/api/integrations/customer-lookup" \
        --lookup-emails "$LOOKUP_EMAILS" --api-key "$LOOKUP_KEY" --connections 32 \
        --duration "${SECONDS_PER_RUN}s" --warmup "${LOOKUP_WARMUP}s"
    record_load "$rep" lookup customer-lookup-fast-32
    log "lookup (fast systems): the stub answered $(curl -fsS "$systems/_count")"
    # Node-RED's lookup against the same stub, Switchboard stopped first.
    local ours; ours=$(field "$LOAD_RESULT" events_per_s)
    stop_pid "$pid"
    if peers_wanted; then
        local line
        if line=$(PEERS_SYSTEMS="$systems" PEERS_LOOKUP_EMAILS="$LOOKUP_EMAILS" BENCH_SECONDS="$SECONDS_PER_RUN" \
                bash "$ROOT/bench/peers.sh" "$CSV" lookup "$rep" | grep '^PEERS '); then
            log "lookup: Node-RED $(field "$line" per_s)/s p50 $(field "$line" p50_ms) ms p99 $(field "$line" p99_ms) ms; Switchboard / Node-RED = $(awk -v a="$ours" -v b="$(field "$line" per_s)" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
        else
            log "lookup: Node-RED not measured (see above)"
        fi
    fi
    stop_all
}

# ---------------------------------------------------------------- runs

has() { [[ " $SCENARIOS " == *" $1 "* ]]; }
for rep in $(seq 1 "$REPEAT"); do
    log "=== repetition $rep of $REPEAT"
    INGEST_DB=""
    if has ingest; then
        bare_start "$rep"
        ingest "$rep" h2
        ingest "$rep" postgres
    fi
    has ceiling && ceiling "$rep"
    has relay && relay "$rep"
    # Node-RED's relay right after each of Switchboard's, on the same cores: alternating, so a
    # drift of the machine during the run reaches both sides.
    { has relay || has peers; } && peers_relay "$rep"
    # Slow systems: the stub answers each call after 200 ms, 500 events in flight.
    has slow && relay "$rep" slow "relay-${BENCH_SLOW_DELAY_MS:-200}ms-${BENCH_SLOW_IN_FLIGHT:-500}" \
        "${BENCH_SLOW_DELAY_MS:-200}" "${BENCH_SLOW_IN_FLIGHT:-500}"
    has queue && queue "$rep"
    has lookup && lookup_fast "$rep"
    [[ "${BENCH_LOOKUP_FAST_ONLY:-}" == 1 ]] && continue
    if has chain || has lookup || has sync; then
        start_pair "$rep"
        has chain && chain "$rep"
        has lookup && lookup "$rep"
        has sync && sync_invoices "$rep"
        stop_all
    fi
    drop_databases
done

# ---------------------------------------------------------------- summary

java bench/Summarize.java "$CSV" "$RESULTS" "$REPEAT" "$JAVA_OPTS_UNDER_TEST" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (modified)')"
log "results in $RESULTS (summary.md, results.csv, results.json, load reports and server logs)"
