-- Organisations, their API clients and the opaque reference tokens issued to them.
create table organizations (
    id uuid primary key,
    name text not null,
    unified_social_credit_code text not null unique check (length(unified_social_credit_code) = 18),
    roles text[] not null check (cardinality(roles) > 0),
    created_at timestamptz not null
);

create table api_clients (
    client_id text primary key,
    organization_id uuid not null references organizations (id),
    name text not null,
    -- SHA-256 of the secret: the secret itself is shown once and never stored.
    secret_sha256 bytea not null check (length(secret_sha256) = 32),
    scopes text[] not null,
    created_at timestamptz not null,
    disabled_at timestamptz
);

create index api_clients_organization_idx on api_clients (organization_id, created_at);

create table access_tokens (
    -- SHA-256 of the token: a database leak does not leak usable tokens.
    token_sha256 bytea primary key check (length(token_sha256) = 32),
    client_id text not null references api_clients (client_id),
    organization_id uuid not null references organizations (id),
    scopes text[] not null,
    issued_at timestamptz not null,
    expires_at timestamptz not null,
    revoked_at timestamptz
);

create index access_tokens_client_idx on access_tokens (client_id) where revoked_at is null;
create index access_tokens_expiry_idx on access_tokens (expires_at);
