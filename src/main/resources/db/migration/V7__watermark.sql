-- Scheduled syncs (trigger: schedule): how far each sync has got, and its runs.

-- One row per sync. The next run asks the source for records changed at or after
-- `watermark` (inclusive: records sharing the boundary time are read again and skipped by
-- the idempotency keys). It moves only after a page has been stored in the target.
-- `run_id` and `leased_until` mark the run in progress, so two runs never overlap; a run
-- renews its lease with every page, and a lease left by a dead node runs out.
create table sync_watermark (
    integration      varchar(100) primary key,
    watermark        timestamp with time zone,
    run_id           varchar(36),
    leased_until     timestamp with time zone,
    last_run_at      timestamp with time zone,
    last_success_at  timestamp with time zone,
    last_failure_at  timestamp with time zone,
    updated_at       timestamp with time zone not null
);

-- Each run with its numbers, for the console and GET /api/integrations/{id}/runs.
-- status: RUNNING, OK, FAILED, or ABANDONED (its node died and a later run took over).
create table sync_run (
    id              varchar(36)  primary key,
    integration     varchar(100) not null,
    node            varchar(200),
    started_at      timestamp with time zone not null,
    finished_at     timestamp with time zone,
    status          varchar(20)  not null,
    watermark_from  timestamp with time zone,
    watermark_to    timestamp with time zone,
    pages           integer      not null default 0,
    records         integer      not null default 0,
    upserted        integer      not null default 0,
    duration_ms     bigint,
    error           varchar(2000)
);
create index sync_run_integration on sync_run (integration, started_at);
