#!/usr/bin/env bash
# Journal search (GET /api/events?q=...) at scale on PostgreSQL: the query EventQueries.find
# sends, over BENCH_EVENTS stored events (default 1,000,000), with the indexes of the
# migrations (delivery_id) and switchboard.journal.search-index: trigram (a trigram GIN index
# on the payload), then without them. Prints the plan
# and the time of each. Uses a throw-away schema in the local PostgreSQL (127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${BENCH_DB:-test}
N=${BENCH_EVENTS:-1000000}
SCHEMA=bench_search_$$
run() { PGOPTIONS="-c search_path=$SCHEMA,public" psql -h 127.0.0.1 -U postgres -d "$DB" -v ON_ERROR_STOP=1 -q "$@"; }
psql -h 127.0.0.1 -U postgres -d "$DB" -q -c "create schema $SCHEMA"
trap 'psql -h 127.0.0.1 -U postgres -d "$DB" -q -c "set client_min_messages = warning" -c "drop schema $SCHEMA cascade"' EXIT

# The migrations in version order, shared and PostgreSQL-only alike, as Flyway applies them.
for file in $(ls src/main/resources/db/migration/V*.sql src/main/resources/db/vendor/postgresql/V*.sql \
        | awk -F/ '{v=$NF; sub(/^V/, "", v); sub(/__.*/, "", v); print v, $0}' | sort -n | cut -d' ' -f2); do
    run -c "set client_min_messages = warning" -f "$file" > /dev/null
done

# What switchboard.journal.search-index: trigram builds (JournalSearchIndex).
run -c "set client_min_messages = warning" -c "create extension if not exists pg_trgm with schema public" \
    -c "create index event_payload_trgm on event using gin (payload public.gin_trgm_ops)"

echo "== storing $N events"
start=$(date +%s)
run -c "insert into event (id, integration, delivery_id, status, attempts, payload, received_at, updated_at)
  select 'e-' || n, 'lead-intake', 'msg_' || n, 'DONE', 1,
         json_build_object('submissionId', 'form-' || n, 'email', 'lead' || n || '@company-' || (n % 5000) || '.io',
                           'firstName', 'Lead', 'lastName', n::text, 'company', 'Company ' || (n % 5000),
                           'message', 'Please call me about the offer number ' || (n % 97), 'source', 'website')::text,
         now() - (n || ' seconds')::interval, now()
  from generate_series(1, $N) n"
run -c "analyze event"
echo "stored in $(( $(date +%s) - start )) s (inserts maintain the trigram index)"

QUERY="select * from event where 1 = 1 and (id = 'lead777777@company-2777.io' or delivery_id = 'lead777777@company-2777.io'
  or payload like '%lead777777@company-2777.io%') order by received_at desc, id limit 50 offset 0"
for round in indexed unindexed; do
    if [ "$round" = unindexed ]; then
        run -c "drop index if exists event_payload_trgm; drop index if exists event_delivery_id"
    fi
    echo "== $round: search by an e-mail address among $N events"
    run -c "explain (analyze, buffers) $QUERY" | sed 's/^/  /'
done
