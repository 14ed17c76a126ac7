-- A reward run's lines and unit totals live in rows of their own, written with COPY, instead of one JSON document of
-- tens of megabytes in reward_runs.content: a run over 100,000 datasets no longer serialises, stores, re-reads and
-- re-parses that document, and its lines are read a page at a time. computed_sha256 is the SHA-256 of the run's canonical
-- content (its jsonl export), hashed while the lines were written; approval freezes it as content_sha256.
-- Runs computed before this migration keep their JSON content and the hash of it.
alter table reward_runs alter column content drop not null;
alter table reward_runs add column computed_sha256 text, add column line_count integer;
update reward_runs r set line_count = (select count(*) from reward_run_lines l where l.run_id = r.id);
alter table reward_runs alter column line_count set not null;

alter table reward_run_lines
    add column position integer,
    add column unit_name text,
    add column dataset_title text,
    add column revenue_fen bigint,
    add column criteria jsonb,
    add column qualified boolean,
    add column before_caps_fen bigint,
    add column after_dataset_cap_fen bigint,
    add column reason_code text;

create table reward_run_units (
    run_id uuid not null references reward_runs (id),
    unit_id uuid not null references organizations (id),
    position integer not null,
    unit_name text not null,
    unit_credit_code text not null,
    cap_remaining_fen bigint not null,
    requested_fen bigint not null,
    reward_fen bigint not null,
    cap_applied boolean not null,
    primary key (run_id, unit_id)
);

-- Earlier runs: their lines and units from the JSON they were stored as.
update reward_run_lines l
set position = x.position - 1, unit_name = x.line ->> 'unit_name', dataset_title = x.line ->> 'dataset_title',
    revenue_fen = (x.line ->> 'revenue_fen')::bigint, criteria = x.line -> 'criteria', qualified = (x.line ->> 'qualified')::boolean,
    before_caps_fen = (x.line ->> 'reward_before_caps_fen')::bigint, after_dataset_cap_fen = (x.line ->> 'after_dataset_cap_fen')::bigint,
    reason_code = x.line ->> 'reason_code'
from (select r.id as run_id, e.line, e.position
      from reward_runs r, jsonb_array_elements(r.content::jsonb -> 'lines') with ordinality as e(line, position)
      where r.content is not null) x
where l.run_id = x.run_id and l.dataset_id = (x.line ->> 'dataset_id')::uuid;

insert into reward_run_units (run_id, unit_id, position, unit_name, unit_credit_code, cap_remaining_fen, requested_fen, reward_fen, cap_applied)
select r.id, (u.unit ->> 'unit_id')::uuid, u.position - 1, u.unit ->> 'unit_name',
       coalesce(r.content::jsonb -> 'unit_credit_codes' ->> (u.unit ->> 'unit_id'), ''),
       (u.unit ->> 'unit_cap_remaining_fen')::bigint, (u.unit ->> 'requested_fen')::bigint, (u.unit ->> 'reward_fen')::bigint,
       (u.unit ->> 'unit_cap_applied')::boolean
from reward_runs r, jsonb_array_elements(r.content::jsonb -> 'units') with ordinality as u(unit, position)
where r.content is not null;

alter table reward_run_lines
    alter column position set not null, alter column unit_name set not null, alter column dataset_title set not null,
    alter column revenue_fen set not null, alter column criteria set not null, alter column qualified set not null,
    alter column before_caps_fen set not null, alter column after_dataset_cap_fen set not null, alter column reason_code set not null;
create unique index reward_run_lines_position_idx on reward_run_lines (run_id, position);

-- A line is a snapshot of what was computed (it carries the unit's name and the dataset's title as they were), not a
-- live reference: the foreign keys to datasets and organizations cost two lookups per line while 100,000 lines are
-- copied in (measured: most of a city run's write time), and would keep a deleted draft dataset's line from existing.
alter table reward_run_lines drop constraint reward_run_lines_dataset_id_fkey, drop constraint reward_run_lines_unit_id_fkey;

-- Lines and unit totals are written once, with their run, and never change: a draft is replaced by computing a new run.
create function refuse_reward_line_change() returns trigger language plpgsql as $$
begin
    raise exception 'reward run lines never change (% refused): compute a new run', tg_op using errcode = 'insufficient_privilege';
end $$;

create trigger reward_run_lines_immutable before update or delete on reward_run_lines
    for each row execute function refuse_reward_line_change();
create trigger reward_run_units_immutable before update or delete on reward_run_units
    for each row execute function refuse_reward_line_change();

-- The frozen-run rule covers the new hash too.
create or replace function refuse_approved_run_change() returns trigger language plpgsql as $$
begin
    if old.status <> 'draft' and (new.content is distinct from old.content or new.content_sha256 is distinct from old.content_sha256
        or new.computed_sha256 is distinct from old.computed_sha256 or new.line_count <> old.line_count
        or new.total_fen <> old.total_fen or new.policy_id <> old.policy_id or new.period_from <> old.period_from or new.period_to <> old.period_to) then
        raise exception 'reward run % is approved and frozen', old.id using errcode = 'check_violation';
    end if;
    return new;
end $$;
