-- Journal search (GET /api/events?q=) finds an event by its id, its delivery id or any
-- payload value: id = ? or delivery_id = ? or payload LIKE '%value%'. PostgreSQL answers such
-- an OR from indexes only when each part has one (a bitmap OR): the primary key, this index
-- on delivery_id alone (the unique one leads with the integration), and for the payload a
-- trigram GIN index, which costs ingest dearly and is therefore made only when
-- switchboard.journal.search-index is trigram (io.switchboard.journal.JournalSearchIndex).
create index if not exists event_delivery_id on event (delivery_id);
