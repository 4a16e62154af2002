-- Incidents: failures grouped by cause, shared by all nodes. open_key holds the cause while
-- the incident is open or acknowledged and is null once resolved, so its unique index allows
-- one unresolved incident per cause (on H2 and PostgreSQL alike) and any number of past ones.
create table incident (
    id              varchar(36)   primary key,
    cause_key       varchar(300)  not null,
    open_key        varchar(300),
    kind            varchar(40)   not null,
    connection_name varchar(100),
    title           varchar(500)  not null,
    status          varchar(20)   not null,
    first_seen      timestamp with time zone not null,
    last_seen       timestamp with time zone not null,
    failures        bigint        not null,
    last_error      varchar(2000),
    acknowledged_by varchar(200),
    acknowledged_at timestamp with time zone,
    resolved_by     varchar(200),
    resolved_at     timestamp with time zone
);
create unique index incident_open_key on incident (open_key);
create index incident_recent on incident (status, last_seen);

-- The events an incident affected, each once, with its integration for the cards.
create table incident_event (
    incident_id varchar(36)  not null,
    event_id    varchar(36)  not null,
    integration varchar(100) not null,
    at          timestamp with time zone not null,
    primary key (incident_id, event_id)
);
create index incident_event_integration on incident_event (integration, incident_id);
