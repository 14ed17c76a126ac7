-- Outbound webhooks (Standard Webhooks): endpoints organisations register, the events changes produce, and the outbox
-- of one delivery per event and endpoint, written in the same transaction as the change. Not to be confused with
-- webhook_deliveries (0008), the replay guard of *inbound* payment notifications.
create table webhook_endpoints (
    id uuid primary key,
    organization_id uuid not null references organizations (id),
    url text not null,
    events text[] not null,
    description text,
    -- The signing secret must be usable to sign, so it is kept as is (not hashed); it is shown once, at creation and at rotation.
    secret text not null,
    -- After a rotation the previous secret keeps signing beside the new one until previous_secret_until, so receivers can switch.
    previous_secret text,
    previous_secret_until timestamptz,
    created_at timestamptz not null,
    disabled_at timestamptz
);
create index webhook_endpoints_by_org on webhook_endpoints (organization_id, id);
create index webhook_endpoints_active on webhook_endpoints using gin (events) where disabled_at is null;

-- One row per change; its id is the webhook-id every delivery of it carries, stable across retries and redeliveries.
create table webhook_events (
    id text primary key,
    type text not null,
    payload jsonb not null,
    occurred_at timestamptz not null
);

-- The outbox: a delivery of an event to an endpoint. The dispatcher claims due rows with `for update skip locked` and holds
-- the row lock while it sends, so a host that dies mid-delivery leaves the row pending for another host.
create table webhook_outbox (
    id uuid primary key,
    event_id text not null references webhook_events (id),
    endpoint_id uuid not null references webhook_endpoints (id),
    status text not null check (status in ('pending', 'delivered', 'failed')),
    -- Attempts so far (numbering the log) and failures since the last success or manual redelivery (driving the backoff).
    attempts integer not null default 0,
    failures integer not null default 0,
    next_attempt_at timestamptz not null,
    last_attempt_at timestamptz,
    last_status_code integer,
    last_error text,
    delivered_at timestamptz,
    -- Set by a manual redelivery, so its attempt is logged as manual; cleared by the attempt.
    redeliver_requested_at timestamptz,
    created_at timestamptz not null,
    unique (event_id, endpoint_id)
);
create index webhook_outbox_due on webhook_outbox (next_attempt_at) where status = 'pending';
create index webhook_outbox_by_endpoint on webhook_outbox (endpoint_id, id);

-- The delivery log: every attempt, its outcome and the start of the receiver's answer.
create table webhook_attempts (
    id uuid primary key,
    outbox_id uuid not null references webhook_outbox (id),
    attempt integer not null,
    trigger text not null check (trigger in ('scheduled', 'manual')),
    attempted_at timestamptz not null,
    status_code integer,
    error text,
    response_excerpt text,
    duration_ms integer not null
);
create index webhook_attempts_by_outbox on webhook_attempts (outbox_id, attempt);
