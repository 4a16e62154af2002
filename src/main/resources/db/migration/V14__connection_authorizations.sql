-- "Connect account": the tokens an OAuth2 authorization-code connection holds, and the
-- connection's standing (connected, needs reconnecting, disconnected).
--
-- oauth2_authorized_client is Spring Security's JdbcOAuth2AuthorizedClientService table,
-- except that the token columns hold text: each value is AES-GCM ciphertext (base64) under
-- SWITCHBOARD_ENCRYPTION_KEY, never a token in clear (connect.TokenCipher).
create table oauth2_authorized_client (
    client_registration_id  varchar(100)  not null,
    principal_name          varchar(200)  not null,
    access_token_type       varchar(100)  not null,
    access_token_value      varchar(8000) not null,
    access_token_issued_at  timestamp     not null,
    access_token_expires_at timestamp     not null,
    access_token_scopes     varchar(1000),
    refresh_token_value     varchar(8000),
    refresh_token_issued_at timestamp,
    created_at              timestamp default current_timestamp not null,
    primary key (client_registration_id, principal_name)
);

-- One row per authorization-code connection. Its row lock serialises refreshes across
-- nodes: a node refreshes only while holding it, then the others read its result.
create table connection_authorization (
    connection     varchar(100)  primary key,
    status         varchar(30)   not null,
    connected_by   varchar(200),
    connected_at   timestamp with time zone,
    scopes_granted varchar(1000),
    reason         varchar(2000),
    since          timestamp with time zone not null,
    refreshed_at   timestamp with time zone,
    refreshes      bigint default 0 not null
);

-- An event held until a connection is connected again (status WAITING): its inbox row
-- names the connection and is not claimable until then.
alter table inbox add column waiting_for varchar(100);
create index inbox_waiting_for on inbox (waiting_for);
