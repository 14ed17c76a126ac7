-- People of the web console (issue 16): users of one organisation each, their server-side sign-in sessions, failed
-- sign-ins for throttling, and the user an audit event names.

create table users (
    id uuid primary key,
    organization_id uuid not null references organizations (id),
    -- Lower-cased at the API; one account per address on the whole platform, so sign-in needs no organisation.
    email text not null unique check (email = lower(email) and length(email) between 3 and 254),
    display_name text not null,
    -- The console role inside the organisation; it decides which of the organisation's scopes a session carries.
    console_role text not null check (console_role in ('admin', 'editor', 'reviewer', 'viewer')),
    -- ASP.NET Core PasswordHasher<T> output (v3: PBKDF2-HMAC-SHA512, salted, iteration count inside).
    password_hash text not null,
    created_at timestamptz not null,
    created_by_user_id uuid references users (id),
    -- A removed user can no longer sign in and every session of theirs ends; the row stays for the audit trail.
    removed_at timestamptz
);

create index users_organization_idx on users (organization_id, email);

create table user_sessions (
    -- SHA-256 of the session id the cookie carries: a database leak does not leak usable sessions.
    session_sha256 bytea primary key check (length(session_sha256) = 32),
    user_id uuid not null references users (id),
    created_at timestamptz not null,
    -- Absolute end, whatever the activity.
    expires_at timestamptz not null,
    -- Activity, written at most once a minute; the session ends after the idle timeout.
    last_seen_at timestamptz not null,
    revoked_at timestamptz,
    -- The synchronizer token every unsafe cookie-authenticated request must echo in X-CSRF-Token.
    csrf_token text not null,
    remote_address text,
    user_agent text
);

create index user_sessions_user_idx on user_sessions (user_id) where revoked_at is null;
create index user_sessions_expiry_idx on user_sessions (expires_at);

-- Failed sign-ins, counted per account and per remote address over a sliding window (Console:Throttle).
create table sign_in_failures (
    id bigint generated always as identity primary key,
    email text not null,
    remote_address text not null,
    failed_at timestamptz not null
);

create index sign_in_failures_email_idx on sign_in_failures (email, failed_at);
create index sign_in_failures_address_idx on sign_in_failures (remote_address, failed_at);

-- Who acted, when it was a person signed in to the console. Adding a nullable column changes no stored event, and the
-- canonical form includes it only when it is set, so every existing hash still verifies.
alter table audit_events add column actor_user_id uuid;
