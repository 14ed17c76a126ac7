-- The optional second factor of console users (issue 16): a TOTP secret (RFC 6238), stored only once the person has
-- confirmed it with a valid code, and the last time step a code was accepted for, so that no code is accepted twice.

create table user_totp (
    user_id uuid primary key references users (id),
    -- The 20-byte secret protected by ASP.NET Core Data Protection (the key ring that also protects the session cookie,
    -- Console:KeysFolder), purpose bound to the user: a database leak does not leak usable secrets, and a row copied to
    -- another user does not decrypt.
    secret_protected text not null,
    enabled_at timestamptz not null,
    -- floor(unix time / 30) of the last accepted code; a code is accepted only for a later step (RFC 6238 §5.2).
    last_step bigint not null check (last_step >= 0)
);

-- The operator's queue of payments to confirm (GET /v1/orders?status=pending_payment, every organisation's orders,
-- newest first): a small partial index instead of a walk over all orders.
create index orders_pending_payment_idx on orders (id desc) where status = 'pending_payment';
