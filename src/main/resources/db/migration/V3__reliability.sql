-- Idempotency keys for Camel's JpaMessageIdRepository: one processor_name per
-- integration, and the database refuses a second row for the same key.
create table camel_messageprocessed (
    id             bigint       primary key,
    processor_name varchar(255) not null,
    message_id     varchar(255) not null,
    created_at     timestamp,
    constraint camel_messageprocessed_key unique (processor_name, message_id)
);
create index camel_messageprocessed_created on camel_messageprocessed (created_at);
create sequence camel_messageprocessed_seq start with 1 increment by 50;

-- When the first attempt of an event failed, for the dead letter's record.
alter table event add column first_failed_at timestamp with time zone;

-- Parked events: what failed for good, with everything a person needs to decide
-- between replaying and discarding it.
create table dead_letter (
    id                varchar(36)  primary key,
    event_id          varchar(36)  references event (id) on delete set null,
    integration       varchar(100) not null,
    route_id          varchar(200),
    category          varchar(30)  not null,
    payload           text,
    headers           text,
    exception_class   varchar(300),
    exception_message varchar(2000),
    attempts          integer      not null,
    first_failed_at   timestamp with time zone not null,
    last_failed_at    timestamp with time zone not null,
    status            varchar(20)  not null,
    resolved_at       timestamp with time zone,
    resolved_by       varchar(100)
);
create index dead_letter_integration on dead_letter (integration, status, last_failed_at);
create index dead_letter_category on dead_letter (category, status);
