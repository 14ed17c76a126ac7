-- What prospective consumers see of a dataset's manifests and profiles before they may read its files: set by the
-- owner; without a row the default applies (schema and counts, no value statistics, no hashes).
create table dataset_preview_policies (
    dataset_id uuid primary key references datasets (id),
    statistics boolean not null,
    hashes boolean not null,
    updated_at timestamptz not null,
    updated_by uuid not null references organizations (id)
);
