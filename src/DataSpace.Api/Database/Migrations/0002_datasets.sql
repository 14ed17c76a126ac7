-- Datasets with provenance, immutable versions, content-addressed file storage, and the usage ledger.
create extension if not exists pg_trgm;

create table datasets (
    id uuid primary key,
    owner_id uuid not null references organizations (id),
    title text not null,
    description text not null,
    industry text not null,
    tags text[] not null,
    access text not null check (access in ('open', 'paid')),
    licence text not null,
    update_frequency text not null,
    security_level text not null check (security_level in ('general', 'important')),
    personal_information text not null check (personal_information in ('none', 'anonymised', 'separate_consent')),
    personal_information_consent_ref text,
    -- Provenance (source type, systems, period, method, legal basis, the three rights, lineage) as one document:
    -- it is read and written whole, and its shape is validated by the API.
    provenance jsonb not null,
    status text not null check (status in ('draft', 'published', 'withdrawn')),
    -- Lower-cased title, description and tags, kept by the API for substring search (pg_trgm).
    search_text text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    published_at timestamptz,
    withdrawn_at timestamptz,
    check (personal_information = 'none' or personal_information_consent_ref is not null)
);

create index datasets_search_idx on datasets using gin (search_text gin_trgm_ops);
create index datasets_catalog_idx on datasets (id desc) where status = 'published';
create index datasets_owner_idx on datasets (owner_id, id desc);
create index datasets_industry_idx on datasets (industry, id desc) where status = 'published';
create index datasets_updated_idx on datasets (updated_at) where status = 'published';

create table dataset_lineage (
    dataset_id uuid not null references datasets (id),
    parent_id uuid not null references datasets (id),
    primary key (dataset_id, parent_id),
    check (dataset_id <> parent_id)
);

create table dataset_versions (
    dataset_id uuid not null references datasets (id),
    number integer not null check (number > 0),
    status text not null check (status in ('draft', 'committed')),
    notes text not null,
    manifest_sha256 text,
    file_count integer,
    total_bytes bigint,
    created_at timestamptz not null,
    committed_at timestamptz,
    primary key (dataset_id, number),
    check ((status = 'committed') = (manifest_sha256 is not null and committed_at is not null))
);

-- One row per distinct content: identical files are stored once.
create table blobs (
    sha256 bytea primary key check (length(sha256) = 32),
    blob_key text not null unique,
    size bigint not null check (size >= 0),
    created_at timestamptz not null
);

create table version_files (
    dataset_id uuid not null,
    version_number integer not null,
    path text not null,
    sha256 bytea not null references blobs (sha256),
    size bigint not null,
    content_type text not null,
    created_at timestamptz not null,
    primary key (dataset_id, version_number, path),
    foreign key (dataset_id, version_number) references dataset_versions (dataset_id, number)
);

create index version_files_blob_idx on version_files (sha256);

-- Committed versions never change: the database refuses it even if the API had a bug.
create function refuse_committed_version_change() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'dataset_versions' then
        if old.status = 'committed' then
            raise exception 'version % of dataset % is committed and immutable', old.number, old.dataset_id using errcode = 'check_violation';
        end if;
        return new;
    end if;
    if exists (select 1 from dataset_versions v where v.dataset_id = old.dataset_id and v.number = old.version_number and v.status = 'committed') then
        raise exception 'version % of dataset % is committed and immutable', old.version_number, old.dataset_id using errcode = 'check_violation';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end $$;

create trigger dataset_versions_immutable before update or delete on dataset_versions
    for each row execute function refuse_committed_version_change();
create trigger version_files_immutable before update or delete on version_files
    for each row execute function refuse_committed_version_change();

create function refuse_file_in_committed_version() returns trigger language plpgsql as $$
begin
    if exists (select 1 from dataset_versions v where v.dataset_id = new.dataset_id and v.number = new.version_number and v.status = 'committed') then
        raise exception 'version % of dataset % is committed and immutable', new.version_number, new.dataset_id using errcode = 'check_violation';
    end if;
    return new;
end $$;

create trigger version_files_insert_guard before insert on version_files
    for each row execute function refuse_file_in_committed_version();

-- The usage ledger: one event per download request, written by the server. Partitioned by month so that
-- old months can be detached or moved (Citus) when the ledger outgrows one node; the default partition
-- guarantees no event is refused for want of a partition.
create table usage_events (
    id uuid not null,
    occurred_at timestamptz not null,
    consumer_id uuid not null,
    client_id text not null,
    dataset_id uuid not null,
    owner_id uuid not null,
    version_number integer not null,
    path text not null,
    range_start bigint,
    range_end bigint,
    bytes_requested bigint not null,
    bytes_sent bigint not null,
    status text not null check (status in ('in_progress', 'completed', 'aborted')),
    request_id text not null,
    finished_at timestamptz,
    primary key (id, occurred_at)
) partition by range (occurred_at);

create table usage_events_default partition of usage_events default;

create function ensure_usage_partition(month date) returns void language plpgsql as $$
declare
    first date := date_trunc('month', month)::date;
    name text := 'usage_events_' || to_char(first, 'YYYY_MM');
begin
    if to_regclass(name) is null then
        execute format('create table %I partition of usage_events for values from (%L) to (%L)',
            name, first::timestamp at time zone 'UTC', (first + interval '1 month')::timestamp at time zone 'UTC');
    end if;
end $$;

select ensure_usage_partition((date '2026-01-01' + make_interval(months => m))::date) from generate_series(0, 23) as m;

create index usage_events_dataset_idx on usage_events (dataset_id, occurred_at);
create index usage_events_consumer_idx on usage_events (consumer_id, occurred_at);
