-- Access beyond payment (issue 18): a dataset's access policy, access requests the owner approves or rejects, data
-- grants, and machine-readable usage policies beside each terms version.

-- Absent = what the dataset's access implies: open -> 'open', paid -> 'terms'.
create table dataset_access_policies (
    dataset_id uuid primary key references datasets (id),
    policy text not null check (policy in ('open', 'terms', 'approval')),
    -- How long a request may wait for the owner's answer before it expires (evaluated when read, never by a timer).
    review_sla_hours integer not null check (review_sla_hours between 1 and 8760),
    -- The owner's custom questions: [{"name", "label", "required"}].
    request_fields jsonb not null,
    -- Requests from these organisations, or from organisations with one of these roles, are approved when filed.
    auto_approve_organizations uuid[] not null,
    auto_approve_roles text[] not null,
    updated_at timestamptz not null
);

create table access_requests (
    id uuid primary key,
    dataset_id uuid not null references datasets (id),
    owner_id uuid not null references organizations (id),
    requester_id uuid not null references organizations (id),
    client_id text not null,
    purpose text not null,
    use_case text not null,
    answers jsonb not null,
    contact text not null,
    -- The requester agreed that the owner learns who it is: a request cannot be filed without it.
    identity_disclosed boolean not null check (identity_disclosed),
    status text not null check (status in ('pending', 'approved', 'rejected')),
    created_at timestamptz not null,
    -- A pending request past this instant reads as expired.
    expires_at timestamptz not null,
    decided_at timestamptz,
    reason text,
    previous_id uuid references access_requests (id)
);

create index access_requests_dataset_idx on access_requests (dataset_id, id desc);
create index access_requests_requester_idx on access_requests (requester_id, dataset_id, id desc);

-- Access without payment: an owner's data grant (pending until the receiver accepts), or an approved request
-- (accepted at once). Revoked by the owner or dropped by the holder; both end it from the next request on.
create table access_grants (
    id uuid primary key,
    dataset_id uuid not null references datasets (id),
    owner_id uuid not null references organizations (id),
    grantee_id uuid not null references organizations (id),
    kind text not null check (kind in ('grant', 'approval')),
    request_id uuid unique references access_requests (id),
    purpose text not null,
    valid_until timestamptz,
    -- Null: every version; otherwise the versions the approval narrowed access to.
    versions integer[],
    status text not null check (status in ('pending', 'accepted', 'revoked', 'dropped')),
    created_at timestamptz not null,
    accepted_at timestamptz,
    ended_at timestamptz,
    end_reason text,
    check ((kind = 'approval') = (request_id is not null)),
    check (kind = 'approval' or valid_until is not null)
);

create index access_grants_dataset_idx on access_grants (dataset_id, id desc);
create index access_grants_grantee_idx on access_grants (grantee_id, dataset_id);

-- The usage policy of a terms version and its hash; an agreement records the hash it accepted and the declared purpose.
alter table dataset_terms add column policy jsonb, add column policy_sha256 text;
alter table agreements add column purpose text, add column policy_sha256 text;
