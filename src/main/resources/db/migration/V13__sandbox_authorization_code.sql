-- The sandbox's authorization server for "Connect account" (OAuth 2.0 authorization code
-- with PKCE, refresh tokens rotated per use). Codes and refresh tokens are kept as their
-- SHA-256 only. A family is every refresh token descending from one consent: a rotated-away
-- token used again revokes its whole family (OAuth 2.0 Security BCP).
create table sandbox_oauth_code (
    code_hash      varchar(64)   primary key,
    client_id      varchar(100)  not null,
    redirect_uri   varchar(1000) not null,
    scopes         varchar(1000) not null,
    code_challenge varchar(200)  not null,
    expires_at     timestamp with time zone not null,
    used_at        timestamp with time zone,
    family         varchar(36)
);

create table sandbox_refresh_token (
    token_hash  varchar(64)   primary key,
    family      varchar(36)   not null,
    client_id   varchar(100)  not null,
    scopes      varchar(1000) not null,
    expires_at  timestamp with time zone not null,
    used_at     timestamp with time zone,
    revoked     boolean default false not null
);
create index sandbox_refresh_token_family on sandbox_refresh_token (family);
