-- The integration health (alert checks every 15 s, the console every 3 s) read event rows
-- for every waiting event and every event of the last hour. On H2 each row read costs about
-- 0.1 ms, so under a backlog of 60,000 events one health answer took 17 s of a core, and the
-- checks ran back to back while the server ingested. Now:
-- - the inbox row carries what the backlog figures need (the event's arrival, and whether it
--   is a test), so the backlog and the oldest waiting event are read from the inbox alone;
-- - the hour's activity is answered from an index holding every column it reads.
alter table inbox add column received_at timestamp with time zone;
alter table inbox add column test_event boolean default false not null;
update inbox set received_at = (select e.received_at from event e where e.id = inbox.event_id),
    test_event = (select e.test_event from event e where e.id = inbox.event_id);

create index event_recent on event (updated_at, test_event, integration, status, finished_at, received_at);
drop index event_updated_at;
