-- The rows one accepted webhook writes, one event per transaction: the event (journal),
-- its first step and its inbox row, with a 1 KB payload and 400 bytes of headers like
-- the load generator's lead. One statement; the foreign keys are checked at its end.
WITH e AS (
  INSERT INTO event (id, integration, delivery_id, status, attempts, payload, content_type, headers, received_at, updated_at, node_id)
  SELECT u, 'lead-intake', 'msg_pgbench_' || u, 'RECEIVED', 0, repeat('x', 1024), 'application/json', repeat('h', 400), now(), now(), 'pgbench'
  FROM (SELECT gen_random_uuid()::text AS u) g
  RETURNING id
), s AS (
  INSERT INTO event_step (event_id, at, step, outcome, detail, node_id)
  SELECT id, now(), 'received', 'ok', 'accepted delivery', 'pgbench' FROM e
)
INSERT INTO inbox (event_id, integration, not_before) SELECT id, 'lead-intake', now() FROM e;
