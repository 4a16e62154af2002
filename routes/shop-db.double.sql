-- The shop database's orders table as partner-orders writes it (the sandbox's shop database has
-- the same): what a drill's scratch database for connection shop-db is made from
-- (switchboard.connections.shop-db.test-double.init in config/application.yaml).
create table orders (
    id             varchar(64) primary key,
    customer_email varchar(320) not null,
    total_cents    bigint not null,
    currency       varchar(3) not null,
    status         varchar(32) not null,
    created_at     timestamp with time zone not null
);
