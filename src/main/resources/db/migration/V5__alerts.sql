-- Alert state, shared by all nodes: one row per ongoing or past outage key, so one
-- outage is one alert with a count on every node, and reminders are not repeated.
create table alert (
    alert_key    varchar(300)  primary key,
    integration  varchar(100),
    title        varchar(500)  not null,
    detail       varchar(2000),
    first_at     timestamp with time zone not null,
    last_at      timestamp with time zone not null,
    occurrences  bigint        not null,
    last_sent_at timestamp with time zone not null,
    resolved_at  timestamp with time zone
);
create index alert_active on alert (resolved_at, last_at);
