-- Reliability drills: one row per drill of an integration, with each case's verdict and
-- evidence (JSON), and the digest of the route file it ran against ("not drilled" since
-- the file changed).
create table drill_run (
    id           varchar(36)  primary key,
    integration  varchar(100) not null,
    status       varchar(20)  not null,
    requested_by varchar(200),
    started_at   timestamp with time zone not null,
    finished_at  timestamp with time zone,
    route_digest varchar(64),
    result       text
);
create index drill_run_integration on drill_run (integration, started_at);
