-- A run's 100,000 lines kept two unique indexes up to date, (run_id, dataset_id) and (run_id, position): each cost about
-- as much as writing the rows (issue 15; psql, 100,000 lines: ~190 ms with neither, ~400 ms with one, ~550 ms with both).
-- Lines are read by position (pages, a unit's span, exports), never looked up by dataset, so (run_id, position) becomes
-- the primary key and the dataset index goes. What it guaranteed, one line per dataset in a run, is kept by the
-- statement-level check every insert of lines already runs: a run's lines arrive in one statement, exactly as many as
-- the run says (line_count), at positions 0 .. line_count - 1, no dataset twice. A second statement for the same run
-- cannot pass it without colliding on the positions, so no run can ever hold a dataset twice.

do $$
begin
    if exists (select 1 from reward_run_lines group by run_id, dataset_id having count(*) > 1) then
        raise exception 'a reward run holds a dataset twice';
    end if;
end $$;

alter table reward_run_lines drop constraint reward_run_lines_pkey;
alter table reward_run_lines add constraint reward_run_lines_pkey primary key using index reward_run_lines_position_idx;

create or replace function refuse_lines_without_run() returns trigger language plpgsql as $$
declare
    wrong record;
begin
    -- One pass over the added lines per question: their runs and spans, then their datasets.
    select a.run_id, r.id is null as missing into wrong
    from (select run_id, count(*) as n, min(position) as lo, max(position) as hi from added group by run_id) a
    left join reward_runs r on r.id = a.run_id
    where r.id is null or a.n <> r.line_count or a.lo <> 0 or a.hi <> r.line_count - 1
    limit 1;
    if found and wrong.missing then
        raise exception 'a reward run line names a run that does not exist' using errcode = 'foreign_key_violation';
    elsif found then
        raise exception 'the lines of reward run % are added in one statement: all line_count of them, at positions 0 to line_count - 1', wrong.run_id
            using errcode = 'integrity_constraint_violation';
    end if;
    if exists (select 1 from added group by run_id, dataset_id having count(*) > 1) then
        raise exception 'a reward run has one line per dataset' using errcode = 'unique_violation';
    end if;
    return null;
end $$;
