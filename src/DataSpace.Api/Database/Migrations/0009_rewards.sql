-- Corpus rewards: the bureau's policies, runs (draft → approved, frozen by a content hash) and their lines.

create table reward_policies (
    id uuid primary key,
    name text not null,
    rate_basis_points integer not null check (rate_basis_points between 0 and 10000),
    dataset_cap_fen bigint not null check (dataset_cap_fen >= 0),
    unit_cap_fen bigint not null check (unit_cap_fen >= 0),
    cap_scope text not null check (cap_scope in ('per_period', 'lifetime')),
    min_files bigint not null check (min_files >= 0),
    min_bytes bigint not null check (min_bytes >= 0),
    min_versions_in_period bigint not null check (min_versions_in_period >= 0),
    min_paying_consumers bigint not null check (min_paying_consumers >= 0),
    created_by uuid not null references organizations (id),
    created_at timestamptz not null
);

-- Policies are never edited (there is no endpoint for it); the database holds the line too.
create function refuse_policy_change() returns trigger language plpgsql as $$
begin
    raise exception 'reward policies never change (% refused): create a new one', tg_op using errcode = 'insufficient_privilege';
end $$;

create trigger reward_policies_immutable before update or delete on reward_policies
    for each row execute function refuse_policy_change();

create table reward_runs (
    id uuid primary key,
    policy_id uuid not null references reward_policies (id),
    period_from date not null,
    period_to date not null check (period_to >= period_from),
    status text not null check (status in ('draft', 'approved', 'superseded')),
    -- The computed run as the API shows it (lines, units, totals), canonical JSON: what the content hash covers.
    content text not null,
    content_sha256 text,
    total_fen bigint not null,
    units_in_programme integer not null,
    units_not_consenting integer not null,
    created_by uuid not null references organizations (id),
    created_at timestamptz not null,
    approved_at timestamptz,
    supersedes uuid references reward_runs (id),
    supersede_reason text
);

create index reward_runs_period_idx on reward_runs (period_from, period_to) where status = 'approved';

create table reward_run_lines (
    run_id uuid not null references reward_runs (id),
    dataset_id uuid not null references datasets (id),
    unit_id uuid not null references organizations (id),
    reward_fen bigint not null check (reward_fen >= 0),
    primary key (run_id, dataset_id)
);

create index reward_run_lines_unit_idx on reward_run_lines (unit_id);

-- An approved run is frozen: only its status may move on (to superseded), nothing it says.
create function refuse_approved_run_change() returns trigger language plpgsql as $$
begin
    if old.status <> 'draft' and (new.content is distinct from old.content or new.content_sha256 is distinct from old.content_sha256
        or new.total_fen <> old.total_fen or new.policy_id <> old.policy_id or new.period_from <> old.period_from or new.period_to <> old.period_to) then
        raise exception 'reward run % is approved and frozen', old.id using errcode = 'check_violation';
    end if;
    return new;
end $$;

create trigger reward_runs_frozen before update on reward_runs
    for each row execute function refuse_approved_run_change();
