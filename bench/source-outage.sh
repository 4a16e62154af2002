#!/usr/bin/env bash
# The platform database away for two minutes while a queue keeps delivering: what a queue
# trigger keeps, with the server's default settings (back-off 5 s, pool timeout 5 s, lease 2 min).
#
#   bash bench/source-outage.sh                       # an AMQP queue (RabbitMQ)
#   OUTAGE_SOURCE=outbox bash bench/source-outage.sh  # a PostgreSQL outbox table (Camel JPA)
#   OUTAGE_SOURCE=file bash bench/source-outage.sh    # a folder (camel-file)
#
# Starts the built jar (target/switchboard-*.jar; built when missing) in the postgres profile on
# a database of its own, reached through a TCP proxy (socat), with a queue integration on a
# RabbitMQ vhost of its own. A publisher sends an order every OUTAGE_EVERY_MS; each order mails
# its customer once (the sandbox's mail API, Idempotency-Key). After a warm-up the proxy is cut
# (every open connection closed, new ones refused) for OUTAGE_CUT_SECONDS, then restored; the
# publisher goes on a while, stops, and the script waits until the queue and the inbox are
# empty. With OUTAGE_SOURCE=outbox the orders are rows committed to the outbox table of a shop
# database of their own (reached directly, not through the proxy: only the platform's database is
# cut), drained when every row is marked processed; with OUTAGE_SOURCE=file they are JSON files
# moved into a folder, drained when every file is in .done. Prints: published, events, DONE, duplicates, lost, mails, doubled mails, alerts raised
# and resolved, consumer pauses. Exits 1 when anything was lost, doubled or not DONE.
#
# Environment (all optional):
#   OUTAGE_SOURCE=queue (queue | outbox | file)
#   OUTAGE_CUT_SECONDS=120  OUTAGE_WARMUP_SECONDS=20  OUTAGE_AFTER_SECONDS=20  OUTAGE_EVERY_MS=100
#   OUTAGE_DRAIN_SECONDS=600 (the longest wait for the backlog)  OUTAGE_SKIP_BUILD=1
#   OUTAGE_PG_HOST=127.0.0.1 OUTAGE_PG_PORT=5432 OUTAGE_PG_USER=postgres (PGPASSWORD if needed)
#   OUTAGE_AMQP_HOST=127.0.0.1 OUTAGE_AMQP_PORT=5672 OUTAGE_AMQP_USER=guest OUTAGE_AMQP_PASSWORD=guest
#
# Needs java 17+, curl, psql, socat, unzip and rabbitmqctl (to make and delete the vhost); a
# PostgreSQL that lets the user create databases (switchboard_outage_<random>, dropped at the end).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

SOURCE=${OUTAGE_SOURCE:-queue}
CUT_SECONDS=${OUTAGE_CUT_SECONDS:-120}
WARMUP_SECONDS=${OUTAGE_WARMUP_SECONDS:-20}
AFTER_SECONDS=${OUTAGE_AFTER_SECONDS:-20}
EVERY_MS=${OUTAGE_EVERY_MS:-100}
DRAIN_SECONDS=${OUTAGE_DRAIN_SECONDS:-600}
PG_HOST=${OUTAGE_PG_HOST:-127.0.0.1}
PG_PORT=${OUTAGE_PG_PORT:-5432}
PG_USER=${OUTAGE_PG_USER:-postgres}
AMQP_HOST=${OUTAGE_AMQP_HOST:-127.0.0.1}
AMQP_PORT=${OUTAGE_AMQP_PORT:-5672}
AMQP_USER=${OUTAGE_AMQP_USER:-guest}
AMQP_PASSWORD=${OUTAGE_AMQP_PASSWORD:-guest}
SERVER_PORT=18180
PROXY_PORT=18154
QUEUE=shop-orders
INTEGRATION=order-mail
SUFFIX=$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')
DATABASE=switchboard_outage_$SUFFIX
VHOST=switchboard-outage-$SUFFIX
SHOP_DATABASE=switchboard_outage_shop_$SUFFIX
MAIL_KEY="outage-mail-$SUFFIX"
ADMIN_PASSWORD="outage-$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')"

log() { printf '[outage %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

case "$SOURCE" in
    queue|outbox|file) ;;
    *) die "OUTAGE_SOURCE must be queue, outbox or file, not $SOURCE" ;;
esac
for tool in java curl psql socat unzip $([[ "$SOURCE" == queue ]] && echo rabbitmqctl); do
    command -v "$tool" >/dev/null || die "$tool not found"
done
for port in $SERVER_PORT $PROXY_PORT; do
    if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
        die "port ${port} is already in use; stop what listens there"
    fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-outage.XXXXXX")
RESULTS="$ROOT/target/bench/outage-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RESULTS" "$WORK/routes" "$WORK/lib"
SERVER_PID=""
PROXY_PID=""
PUBLISHER_PID=""

sql() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$DATABASE" -Atq -v ON_ERROR_STOP=1 -c "$1"; }
shop_sql() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$SHOP_DATABASE" -Atq -v ON_ERROR_STOP=1 -c "$1"; }

# Stops what this script started, by the ids it kept; the proxy runs in a process group of its
# own (socat forks a child per connection), so the group goes with it.
stop_proxy() {
    if [[ -n "$PROXY_PID" ]]; then
        kill -- "-$PROXY_PID" 2>/dev/null || true
        wait "$PROXY_PID" 2>/dev/null || true
        PROXY_PID=""
    fi
}
cleanup() {
    [[ -n "$PUBLISHER_PID" ]] && kill "$PUBLISHER_PID" 2>/dev/null || true
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    stop_proxy
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -q -c "drop database if exists $DATABASE with (force)" \
        >/dev/null 2>&1 || true
    if [[ "$SOURCE" == queue ]]; then
        rabbitmqctl delete_vhost "$VHOST" >/dev/null 2>&1 || true
    else
        psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -q \
            -c "drop database if exists $SHOP_DATABASE with (force)" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# Messages in the queue: "messages_ready" (waiting) or "messages" (waiting and delivered, not acknowledged).
queue_messages() {
    rabbitmqctl list_queues -p "$VHOST" name "$1" -q 2>/dev/null | awk -v q="$QUEUE" '$1 == q {print $2}'
}

start_proxy() {
    setsid socat "TCP-LISTEN:${PROXY_PORT},bind=127.0.0.1,fork,reuseaddr" "TCP:${PG_HOST}:${PG_PORT}" \
        >>"$RESULTS/proxy.log" 2>&1 &
    PROXY_PID=$!
}

if [[ -z "${OUTAGE_SKIP_BUILD:-}" ]] || ! ls target/switchboard-*.jar >/dev/null 2>&1; then
    log "building the jar"
    ./mvnw -B -ntp -q package -DskipTests >"$RESULTS/build.log" 2>&1 || die "build failed (see $RESULTS/build.log)"
fi
JAR=$(ls target/switchboard-*.jar | head -1)
unzip -q -j -o "$JAR" 'BOOT-INF/lib/amqp-client-*.jar' 'BOOT-INF/lib/slf4j-api-*.jar' -d "$WORK/lib"

log "source $SOURCE, database $DATABASE, results in $RESULTS"
psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -q -c "create database $DATABASE" >/dev/null
SOURCE_ARGS=()
case "$SOURCE" in
queue)
    rabbitmqctl add_vhost "$VHOST" >/dev/null
    rabbitmqctl set_permissions -p "$VHOST" "$AMQP_USER" '.*' '.*' '.*' >/dev/null
    AMQP_URI="amqp://${AMQP_USER}:${AMQP_PASSWORD}@${AMQP_HOST}:${AMQP_PORT}/${VHOST}"
    # A quorum queue, as operations.md advises (replicated, durable), there before the server starts.
    java -cp "$WORK/lib/*" bench/QueuePublisher.java "$AMQP_URI" "$QUEUE" declare >"$RESULTS/declare.log" 2>&1 \
        || die "cannot declare the queue (see $RESULTS/declare.log)"
    SOURCE_YAML="  connection: shop-broker
  queue: $QUEUE"
    TRIGGER=queue
    SOURCE_ARGS=(--switchboard.connections.shop-broker.kind=amqp
        --switchboard.connections.shop-broker.url="amqp://${AMQP_HOST}:${AMQP_PORT}/${VHOST}"
        --switchboard.connections.shop-broker.username="$AMQP_USER"
        '--switchboard.connections.shop-broker.password=${SHOP_BROKER_PASSWORD}')
    ;;
outbox)
    # The shop's own database with the outbox table of writing-integrations.md.
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -q -c "create database $SHOP_DATABASE" >/dev/null
    shop_sql "create table outbox (id uuid primary key, aggregatetype varchar(255) not null,
        aggregateid varchar(255) not null, type varchar(255) not null, payload jsonb not null,
        created_at timestamptz not null default now(), processed_at timestamptz)"
    shop_sql "create index outbox_pending on outbox (created_at) where processed_at is null"
    SOURCE_YAML="  connection: shop-db
  table: outbox"
    TRIGGER=outbox
    SOURCE_ARGS=(--switchboard.connections.shop-db.kind=jdbc
        --switchboard.connections.shop-db.url="jdbc:postgresql://${PG_HOST}:${PG_PORT}/${SHOP_DATABASE}"
        --switchboard.connections.shop-db.username="$PG_USER"
        '--switchboard.connections.shop-db.password=${SHOP_DB_PASSWORD:}')
    ;;
file)
    mkdir -p "$WORK/drop/orders"
    SOURCE_YAML="  connection: shop-drop
  folder: orders
  include: '.*\\.json'"
    TRIGGER=file
    SOURCE_ARGS=(--switchboard.connections.shop-drop.kind=file
        --switchboard.connections.shop-drop.path="$WORK/drop")
    ;;
esac

# The integration: each order mails its customer once (once-only step plus Idempotency-Key).
cat >"$WORK/routes/$INTEGRATION.card.yaml" <<EOF
trigger: $TRIGGER
source:
$SOURCE_YAML
card:
  description: Each order from the shop's $SOURCE mails its customer once
  owner: bench
EOF
cat >"$WORK/routes/$INTEGRATION.camel.yaml" <<'EOF'
- route:
    id: order-mail
    from:
      uri: inbox:order-mail
      steps:
        - idempotentConsumer:
            simple: ${header.SwitchboardEventId}
            idempotentRepository: order-mail-idempotency
            steps:
              - throttle: {constant: "{{rate:order-mail}}", mode: TotalRequests}
              - idempotentConsumer:
                  simple: ${header.SwitchboardEventId}/order-mail
                  idempotentRepository: once
                  eager: false
                  completionEager: true
                  steps:
                    - setHeader: {name: Idempotency-Key, jq: {expression: '"order-mail-" + .orderId', resultType: java.lang.String}}
                    - transform: {jq: '{from: "shop@switchboard.example", to: (.orderId + "@outage.test"),
                        subject: "Your order", text: ("Order " + .orderId + " received.")}'}
                    - to: {uri: "connection:mail/messages", parameters: {method: POST, headers: Idempotency-Key}}
EOF

start_proxy
log "starting the server (log: $RESULTS/server.log)"
# Defaults everywhere but the mail connection's rate (5/s), which would make the backlog take
# longer to drain than the outage itself; it is the target's limit, not a retry window.
SHOP_BROKER_PASSWORD="$AMQP_PASSWORD" MAIL_API_KEY="$MAIL_KEY" \
SWITCHBOARD_ENCRYPTION_KEY="$(head -c 32 /dev/urandom | base64)" \
java -Xmx384m -jar "$JAR" \
    --server.port=$SERVER_PORT \
    --spring.profiles.active=postgres \
    --spring.datasource.url="jdbc:postgresql://127.0.0.1:${PROXY_PORT}/${DATABASE}" \
    --spring.datasource.username="$PG_USER" \
    --switchboard.security.admin.password="$ADMIN_PASSWORD" \
    --switchboard.routes.directory="$WORK/routes" \
    "${SOURCE_ARGS[@]}" \
    --switchboard.connections.mail.rate-limit=100 \
    --switchboard.sandbox.enabled=true \
    --switchboard.sandbox.mail.api-key="$MAIL_KEY" \
    >"$RESULTS/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 180); do
    curl -fs "http://127.0.0.1:$SERVER_PORT/actuator/health/readiness" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited (see $RESULTS/server.log)"
    sleep 1
done
curl -fs "http://127.0.0.1:$SERVER_PORT/actuator/health/readiness" >/dev/null || die "the server did not get ready"

log "publishing an order every ${EVERY_MS} ms"
PERIOD=$(awk "BEGIN {print $EVERY_MS / 1000}")
case "$SOURCE" in
queue)
    java -cp "$WORK/lib/*" bench/QueuePublisher.java "$AMQP_URI" "$QUEUE" "$EVERY_MS" "$RESULTS/published.txt" \
        >"$RESULTS/publisher.log" 2>&1 &
    ;;
outbox)
    # One row per order, each its own transaction on one session; the shop database is not cut.
    # The loop ends at the stop file, so psql commits every row it was given before it exits.
    ( n=0
      while [[ ! -e "$WORK/stop" ]]; do
          n=$((n + 1))
          printf "insert into outbox (id, aggregatetype, aggregateid, type, payload) values ('%s', 'order', 'o-%s', 'order.placed', '{\"orderId\": \"o-%s\"}');\n" \
              "$(cat /proc/sys/kernel/random/uuid)" "$n" "$n"
          sleep "$PERIOD"
      done | psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$SHOP_DATABASE" -q -v ON_ERROR_STOP=1 ) \
        >"$RESULTS/publisher.log" 2>&1 &
    ;;
file)
    # Written beside the folder and renamed in, as a partner's upload that renames when complete.
    ( n=0
      while [[ ! -e "$WORK/stop" ]]; do
          n=$((n + 1))
          printf '{"orderId": "o-%s"}' "$n" >"$WORK/drop/o-$n.part"
          mv "$WORK/drop/o-$n.part" "$WORK/drop/orders/o-$n.json"
          echo "o-$n" >>"$RESULTS/published.txt"
          sleep "$PERIOD"
      done ) >"$RESULTS/publisher.log" 2>&1 &
    ;;
esac
PUBLISHER_PID=$!

# What waits at the source, and whether it has handed everything over.
waiting() {
    case "$SOURCE" in
        queue) queue_messages messages_ready ;;
        outbox) shop_sql "select count(*) from outbox where processed_at is null" 2>/dev/null || echo 0 ;;
        file) find "$WORK/drop/orders" -maxdepth 1 -name '*.json' | wc -l ;;
    esac
}
source_empty() {
    case "$SOURCE" in
        queue) [[ "$(queue_messages messages)" == 0 ]] ;;
        *) [[ "$(waiting)" == 0 ]] ;;
    esac
}
sleep "$WARMUP_SECONDS"

log "cutting the database off for ${CUT_SECONDS} s"
stop_proxy
ready_peak=0
cut_end=$(( $(date +%s) + CUT_SECONDS ))
while (( $(date +%s) < cut_end )); do
    # rabbitmqctl starts an Erlang VM: a sample every few seconds, not every second.
    ready=$(waiting)
    (( ${ready:-0} > ready_peak )) && ready_peak=${ready:-0}
    sleep 5
done
log "restoring the database (up to ${ready_peak} orders waited at the source)"
start_proxy
restored_at=$(date +%s)
sleep "$AFTER_SECONDS"
if [[ "$SOURCE" == queue ]]; then
    kill "$PUBLISHER_PID" 2>/dev/null || true
else
    touch "$WORK/stop"
fi
wait "$PUBLISHER_PID" 2>/dev/null || true
PUBLISHER_PID=""
if [[ "$SOURCE" == outbox ]]; then
    # The committed rows are what the shop published.
    shop_sql "select aggregateid from outbox" >"$RESULTS/published.txt"
fi
published=$(wc -l <"$RESULTS/published.txt")
log "publisher stopped after $published orders; waiting for the backlog"

drained=""
drain_end=$(( $(date +%s) + DRAIN_SECONDS ))
while (( $(date +%s) < drain_end )); do
    # Nothing left anywhere: every message is an event and no event waits in the inbox.
    inbox=$(sql "select count(*) from inbox where integration = '$INTEGRATION'" 2>/dev/null || echo 1)
    stored=$(sql "select count(*) from event where integration = '$INTEGRATION'" 2>/dev/null || echo 0)
    if [[ "$inbox" == 0 && "$stored" -ge "$published" ]] && source_empty; then
        drained=$(( $(date +%s) - restored_at ))
        break
    fi
    sleep 3
done

sql "create table bench_published (id varchar(200) primary key)"
psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$DATABASE" -q -v ON_ERROR_STOP=1 \
    -c "\\copy bench_published from '$RESULTS/published.txt'"
events=$(sql "select count(*) from event where integration = '$INTEGRATION'")
done_count=$(sql "select count(*) from event where integration = '$INTEGRATION' and status = 'DONE'")
not_done=$(sql "select count(*) from event where integration = '$INTEGRATION' and status <> 'DONE'")
# An order's key: the message id on a queue; the order id in the payload of a row or a file
# (whose delivery ids the platform derives: outbox:<table>:<row id>, the file's name, size, time, digest).
if [[ "$SOURCE" == queue ]]; then KEY="e.delivery_id"; else KEY="(e.payload::jsonb)->>'orderId'"; fi
duplicates=$(sql "select count(*) from (select $KEY from event e where e.integration = '$INTEGRATION' group by $KEY having count(*) > 1) d")
redelivered=$(sql "select count(*) from event_step s join event e on e.id = s.event_id where e.integration = '$INTEGRATION' and s.step = 'duplicate-delivery'")
lost=$(sql "select count(*) from bench_published p where not exists (select 1 from event e where e.integration = '$INTEGRATION' and $KEY = p.id)")
mails=$(sql "select count(*) from sandbox_mail_message where recipient like '%@outage.test'")
doubled_mails=$(sql "select count(*) from (select recipient from sandbox_mail_message where recipient like '%@outage.test' group by recipient having count(*) > 1) d")
resumed=$(sql "select count(*) from event where integration = '$INTEGRATION' and attempts > 1")
dead=$(sql "select count(*) from dead_letter")
alerts_raised=$(grep -c "ALERT source-not-stored:$INTEGRATION" "$RESULTS/server.log" || true)
alerts_resolved=$(grep -c "RESOLVED source-not-stored:$INTEGRATION" "$RESULTS/server.log" || true)
if [[ "$SOURCE" == queue ]]; then
    pauses=$(grep -c "for integration $INTEGRATION: message .* not stored" "$RESULTS/server.log" || true)
else
    pauses="not counted"
fi

printf '\nsource outage (%s): cut %ss, an order every %sms, server defaults\n' \
    "$SOURCE" "$CUT_SECONDS" "$EVERY_MS"
printf '  published         %s\n' "$published"
printf '  events            %s\n' "$events"
printf '  DONE              %s (not DONE: %s, dead letters: %s)\n' "$done_count" "$not_done" "$dead"
printf '  duplicates        %s (redeliveries recognised as duplicates: %s)\n' "$duplicates" "$redelivered"
printf '  lost              %s\n' "$lost"
printf '  mails             %s (doubled: %s; events that needed a second attempt: %s)\n' "$mails" "$doubled_mails" "$resumed"
printf '  alerts            raised %s, resolved %s\n' "$alerts_raised" "$alerts_resolved"
printf '  consumer pauses   %s (up to %s orders waited at the source)\n' "$pauses" "$ready_peak"
printf '  drained           %s\n' "${drained:+${drained}s after the database came back}"
printf '  results           %s\n' "$RESULTS"

[[ -n "$drained" && "$lost" == 0 && "$duplicates" == 0 && "$not_done" == 0 && "$doubled_mails" == 0 \
    && "$mails" == "$published" ]] || die "something was lost, doubled or left undone"
