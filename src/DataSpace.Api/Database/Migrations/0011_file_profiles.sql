-- Profiles of committed content, one per distinct content (blobs are deduplicated by sha256, so identical files in
-- different datasets are profiled once). Commits queue a pending row in their transaction; background workers on any
-- replica claim rows with `for update skip locked` and a lease, so a crashed worker's claim expires and another takes over.
create table file_profiles (
    sha256 bytea primary key references blobs (sha256),
    status text not null check (status in ('pending', 'done', 'failed')),
    format text,
    delimiter text,
    header boolean,
    row_count bigint,
    column_count integer,
    columns jsonb,
    notes jsonb,
    reason text,
    -- Cells (rows × described columns) and null cells: completeness for the reward policy without reading the jsonb.
    cell_count bigint,
    null_cell_count bigint,
    -- The Parquet rendition of csv, tsv and jsonl content (a blob keyed by the source sha256): pending after the profile,
    -- then done (key, size, sha256), failed (reason), or unavailable (reason: not a table, profile failed, too wide).
    rendition_status text check (rendition_status in ('pending', 'done', 'failed', 'unavailable')),
    rendition_key text,
    rendition_size bigint,
    rendition_sha256 bytea,
    rendition_reason text,
    attempts integer not null default 0,
    claimed_until timestamptz,
    created_at timestamptz not null,
    profiled_at timestamptz,
    duration_ms bigint,
    check ((status = 'failed') = (reason is not null)),
    check (status = 'pending' or profiled_at is not null)
);

create index file_profiles_pending_idx on file_profiles (created_at) where status = 'pending';
create index file_profiles_rendition_pending_idx on file_profiles (created_at) where rendition_status = 'pending';

-- Which representation of a file a download sent: the file as uploaded, or its Parquet rendition.
alter table usage_events add column representation text not null default 'original' check (representation in ('original', 'parquet'));

-- Content committed before profiling existed is queued too.
insert into file_profiles (sha256, status, created_at)
select distinct f.sha256, 'pending', now()
from version_files f join dataset_versions v on v.dataset_id = f.dataset_id and v.number = f.version_number
where v.status = 'committed';

-- Reward policies may hold the scale-and-quality criterion to rows and completeness too; absent = not used.
alter table reward_policies
    add column min_rows bigint check (min_rows >= 0),
    add column min_completeness_basis_points integer check (min_completeness_basis_points between 0 and 10000);
