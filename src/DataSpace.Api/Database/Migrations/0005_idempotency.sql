-- Idempotency keys: the first response to a write that creates money or access, replayed for the same key.
create table idempotency_keys (
    organization_id uuid not null references organizations (id),
    key text not null,
    -- SHA-256 of method, path and body: the same key with a different request is a client error, not a replay.
    fingerprint bytea not null,
    status_code integer,
    content_type text,
    location text,
    body bytea,
    created_at timestamptz not null,
    completed_at timestamptz,
    primary key (organization_id, key)
);

create index idempotency_keys_created_idx on idempotency_keys (created_at);
