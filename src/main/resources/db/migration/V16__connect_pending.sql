-- A "Connect" in progress: the authorization request (with its PKCE verifier, encrypted) under
-- its state, bound to the browser that started it by a cookie's hash; single use, expiring.
-- In the database, so the provider's redirect back may reach any node.
create table connect_pending (
    state        varchar(200) primary key,
    connection   varchar(100) not null,
    person       varchar(200) not null,
    binding_hash varchar(64)  not null,
    request      text         not null,
    expires_at   timestamp with time zone not null
);
