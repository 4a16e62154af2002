-- The same rows as ingest-event.sql, 32 events per transaction: what the server's group
-- commit does (one multi-row insert per table, one commit for the whole batch).
WITH ids AS (
  SELECT gen_random_uuid()::text AS u FROM generate_series(1, 32)
), e AS (
  INSERT INTO event (id, integration, delivery_id, status, attempts, payload, content_type, headers, received_at, updated_at, node_id)
  SELECT u, 'lead-intake', 'msg_pgbench_' || u, 'RECEIVED', 0, repeat('x', 1024), 'application/json', repeat('h', 400), now(), now(), 'pgbench'
  FROM ids
  RETURNING id
), s AS (
  INSERT INTO event_step (event_id, at, step, outcome, detail, node_id)
  SELECT id, now(), 'received', 'ok', 'accepted delivery', 'pgbench' FROM e
)
INSERT INTO inbox (event_id, integration, not_before) SELECT id, 'lead-intake', now() FROM e;
