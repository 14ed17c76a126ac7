-- Consent-based sharing (Art. 11 of the platform's management measures) and the tamper-evident audit chain.

create table consent_requests (
    id uuid primary key,
    requester_id uuid not null references organizations (id),
    unit_id uuid not null references organizations (id),
    categories text[] not null check (cardinality(categories) > 0),
    all_datasets boolean not null,
    dataset_ids uuid[] not null,
    purpose_code text not null,
    purpose_text text not null,
    legal_basis text not null,
    valid_from timestamptz not null,
    valid_until timestamptz not null check (valid_until > valid_from),
    status text not null check (status in ('pending', 'approved', 'rejected')),
    expires_at timestamptz not null,
    decided_at timestamptz,
    decision_reason text,
    consent_id uuid,
    created_at timestamptz not null,
    check (all_datasets or cardinality(dataset_ids) > 0)
);

create index consent_requests_unit_idx on consent_requests (unit_id, id desc);
create index consent_requests_requester_idx on consent_requests (requester_id, id desc);

create table consents (
    id uuid primary key,
    grantor_id uuid not null references organizations (id),
    grantee_id uuid not null references organizations (id),
    categories text[] not null check (cardinality(categories) > 0),
    -- true: every dataset of the grantor, present and future; false: exactly dataset_ids.
    all_datasets boolean not null,
    dataset_ids uuid[] not null,
    purpose_code text not null,
    purpose_text text not null,
    legal_basis text not null,
    valid_from timestamptz not null,
    valid_until timestamptz not null check (valid_until > valid_from),
    request_id uuid references consent_requests (id),
    created_at timestamptz not null,
    revoked_at timestamptz,
    revoke_reason text,
    check (grantor_id <> grantee_id),
    check (all_datasets or cardinality(dataset_ids) > 0)
);

-- The gate looks consents up by grantee and grantor on every authority read.
create index consents_gate_idx on consents (grantee_id, grantor_id);
create index consents_grantor_idx on consents (grantor_id, id desc);

alter table consent_requests add foreign key (consent_id) references consents (id);

-- The audit chain. Each event stores the hash of its predecessor and its own hash over a canonical form
-- (documented in AuditChain.cs); seq is gapless because events are appended one at a time under a lock.
create table audit_events (
    seq bigint primary key check (seq > 0),
    occurred_at timestamptz not null,
    actor_org_id uuid,
    actor_client_id text,
    subject_org_id uuid,
    object_type text not null,
    object_id text not null,
    action text not null,
    basis_type text,
    basis_id text,
    request_id text,
    details text not null,
    prev_hash bytea not null check (length(prev_hash) = 32),
    hash bytea not null check (length(hash) = 32)
);

create index audit_events_subject_idx on audit_events (subject_org_id, seq);
create index audit_events_actor_idx on audit_events (actor_org_id, seq);

create function refuse_audit_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit events are append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end $$;

create trigger audit_events_append_only before update or delete on audit_events
    for each row execute function refuse_audit_change();
create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function refuse_audit_change();
