-- Journal search (GET /api/events?q=) finds an event by its id, its delivery id or any
-- payload value: id = ? or delivery_id = ? or payload LIKE '%value%'. PostgreSQL answers such
-- an OR from indexes only when each part has one (a bitmap OR): the primary key, an index on
-- delivery_id alone (the unique one leads with the integration), and a trigram GIN index on
-- the payload, instead of reading every stored payload. pg_trgm ships with PostgreSQL (contrib); a
-- database user that may not create extensions keeps the unindexed search, with a notice,
-- rather than failing the start (an administrator can run CREATE EXTENSION pg_trgm later
-- and make this index by hand, as below). The extension lives in the public schema, once per
-- database, whichever schema Switchboard's tables are in.
do $$
begin
    create extension if not exists pg_trgm with schema public;
exception when others then
    raise notice 'pg_trgm is not installed and cannot be here (%): journal search stays unindexed', sqlerrm;
end
$$;

create index if not exists event_delivery_id on event (delivery_id);

do $$
begin
    if exists (select 1 from pg_extension e join pg_namespace n on n.oid = e.extnamespace
               where e.extname = 'pg_trgm' and n.nspname = 'public') then
        create index if not exists event_payload_trgm on event using gin (payload public.gin_trgm_ops);
    end if;
end
$$;
