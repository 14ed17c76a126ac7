-- Records a unit keeps for the bureau to verify: data-asset registrations (数据资产入表), DCMM certificates and
-- trusted-data-space pilots. One table for the three kinds: they share the workflow (draft → submitted → verified or
-- returned; a verified record is frozen and changes start a new revision), and their fields are validated by the API
-- and kept as canonical JSON, which the content hash of a verified revision covers.

create table records (
    id uuid not null,
    revision integer not null check (revision >= 1),
    kind text not null check (kind in ('data_asset', 'dcmm_certificate', 'data_space_pilot')),
    owner_id uuid not null references organizations (id),
    status text not null check (status in ('draft', 'submitted', 'returned', 'verified', 'superseded')),
    fields jsonb not null,
    return_reason text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    submitted_at timestamptz,
    decided_at timestamptz,
    decided_by uuid references organizations (id),
    -- Set when the bureau verifies the revision: SHA-256 (hex) of its canonical fields.
    content_sha256 text,
    primary key (id, revision),
    check ((status in ('verified', 'superseded')) = (content_sha256 is not null))
);

-- At most one revision of a record is being worked on (draft, submitted or returned) at a time.
create unique index records_one_open_revision on records (id) where status in ('draft', 'submitted', 'returned');
create index records_owner_idx on records (owner_id, kind, id, revision);
create index records_review_idx on records (kind, submitted_at, id) where status = 'submitted';
create index records_verified_idx on records (kind, decided_at, id) where status in ('verified', 'superseded');

-- A verified revision is frozen: only its status may move on (to superseded) when a newer revision is verified.
create function refuse_verified_record_change() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        if old.status in ('verified', 'superseded') then
            raise exception 'verified record % revision % is frozen (delete refused)', old.id, old.revision using errcode = 'insufficient_privilege';
        end if;
        return old;
    end if;
    if old.status in ('verified', 'superseded')
       and (new.fields is distinct from old.fields or new.content_sha256 is distinct from old.content_sha256
            or new.owner_id is distinct from old.owner_id or new.decided_at is distinct from old.decided_at
            or not (new.status = old.status or (old.status = 'verified' and new.status = 'superseded'))) then
        raise exception 'verified record % revision % is frozen: start a new revision', old.id, old.revision using errcode = 'insufficient_privilege';
    end if;
    return new;
end $$;

create trigger records_frozen_when_verified before update or delete on records
    for each row execute function refuse_verified_record_change();

-- Evidence and report files of records: named by the unit, content stored once in blobs (deduplicated by hash).
create table record_files (
    id uuid primary key,
    owner_id uuid not null references organizations (id),
    record_id uuid not null,
    file_name text not null,
    size bigint not null check (size >= 0),
    sha256 bytea not null references blobs (sha256),
    content_type text not null,
    created_at timestamptz not null
);

create index record_files_record_idx on record_files (record_id);

-- The bureau's policies for record-based payments, versioned and never edited.
create table record_policies (
    id uuid primary key,
    kind text not null check (kind in ('dcmm_reward', 'asset_fee_subsidy')),
    fields jsonb not null,
    created_by uuid not null references organizations (id),
    created_at timestamptz not null
);

create index record_policies_kind_idx on record_policies (kind, created_at desc, id);

create function refuse_record_policy_change() returns trigger language plpgsql as $$
begin
    raise exception 'record policies never change (% refused): create a new one', tg_op using errcode = 'insufficient_privilege';
end $$;

create trigger record_policies_immutable before update or delete on record_policies
    for each row execute function refuse_record_policy_change();
