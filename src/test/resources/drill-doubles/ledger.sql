-- The ledger database's table as drill-ledger writes it: what a drill's scratch database is
-- made from (switchboard.connections.ledger-db.test-double.init).
create table ledger_orders (
    order_id    varchar(100) primary key,
    customer    varchar(320) not null,
    total_cents bigint       not null,
    booked_at   timestamp    default current_timestamp
);
-- A row the shop had before: a drill's effects are only the rows that name its marker.
insert into ledger_orders (order_id, customer, total_cents) values ('O-1000', 'ada@analytical-engines.co.uk', 4200);
