-- The admin password generated at first start, kept only as a hash.
create table admin_credential (
    username      varchar(100) primary key,
    password_hash varchar(200) not null,
    created_at    timestamp with time zone default current_timestamp not null
);
