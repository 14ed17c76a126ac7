-- Writing a run's 100,000 lines cost as much in index and key upkeep as in the rows themselves (issue 15). Two costs go,
-- with what they guarded kept another way:
--
-- 1. The (run_id, unit_id, position) index. A unit's lines are contiguous in a run: the calculator orders lines by unit,
--    then dataset. Each unit total now names where its lines start and how many there are, so a unit's page of lines
--    reads the (run_id, position) index over that span, and a unit's count is read from its total.
-- 2. The foreign key from each line to its run, checked once per line. A statement-level trigger checks each run named by
--    the inserted lines once; deleting a run that has lines, or changing its id, is refused by a trigger on reward_runs.

alter table reward_run_units add column first_line integer, add column line_count integer;

do $$
begin
    if exists (select 1 from (select run_id, unit_id, min(position) as lo, max(position) as hi, count(*) as n
                              from reward_run_lines group by run_id, unit_id) x
               where x.hi - x.lo + 1 <> x.n) then
        raise exception 'a reward run has a unit whose lines are not contiguous; first_line/line_count cannot describe it';
    end if;
    if exists (select 1 from reward_run_lines l
               where not exists (select 1 from reward_run_units u where u.run_id = l.run_id and u.unit_id = l.unit_id)) then
        raise exception 'a reward run has lines of a unit without a unit total';
    end if;
end $$;

alter table reward_run_units disable trigger reward_run_units_immutable;
update reward_run_units u set first_line = x.lo, line_count = x.n
from (select run_id, unit_id, min(position) as lo, count(*)::integer as n from reward_run_lines group by run_id, unit_id) x
where x.run_id = u.run_id and x.unit_id = u.unit_id;
update reward_run_units set first_line = 0, line_count = 0 where first_line is null;
alter table reward_run_units enable trigger reward_run_units_immutable;

alter table reward_run_units
    alter column first_line set not null,
    alter column line_count set not null,
    add constraint reward_run_units_span_check check (first_line >= 0 and line_count >= 0);

drop index reward_run_lines_unit_idx;

alter table reward_run_lines drop constraint reward_run_lines_run_id_fkey;

create function refuse_lines_without_run() returns trigger language plpgsql as $$
begin
    if exists (select 1 from (select distinct run_id from added) a where not exists (select 1 from reward_runs r where r.id = a.run_id)) then
        raise exception 'a reward run line names a run that does not exist' using errcode = 'foreign_key_violation';
    end if;
    return null;
end $$;

create trigger reward_run_lines_have_runs after insert on reward_run_lines
    referencing new table as added for each statement execute function refuse_lines_without_run();

create function refuse_run_losing_lines() returns trigger language plpgsql as $$
begin
    if exists (select 1 from reward_run_lines l where l.run_id = old.id) then
        raise exception 'reward run % has lines: it cannot be deleted or renumbered', old.id using errcode = 'foreign_key_violation';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end $$;

create trigger reward_runs_keep_lines before delete or update of id on reward_runs
    for each row execute function refuse_run_losing_lines();
