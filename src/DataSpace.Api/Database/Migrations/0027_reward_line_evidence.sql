-- A reward line keeps its criteria as evidence columns, not as a jsonb list. The list repeated, on each of a city's
-- 100,000 lines, what the run's policy already says (criterion names, thresholds, pass/fail and reason codes, all
-- derived from the evidence and the policy's thresholds): ~400 bytes a line, and half of the run's store time. The
-- policy is immutable (reward_policies_immutable), so a line read back is judged with the same thresholds by the same
-- function that computed it (RewardCalculator.Judge), and the run's content hash, taken over the lines as computed,
-- still verifies. rows and completeness are present exactly when the policy sets them.

alter table reward_run_lines
    add column files_evidence bigint,
    add column bytes_evidence bigint,
    add column versions_evidence bigint,
    add column consumers_evidence bigint,
    add column rows_evidence bigint,
    add column completeness_evidence bigint;

-- Lines never change; this migration moves what they hold into their own columns, nothing else.
alter table reward_run_lines disable trigger reward_run_lines_immutable;
update reward_run_lines l set
    files_evidence = (select (c ->> 'evidence')::bigint from jsonb_array_elements(l.criteria) c where c ->> 'criterion' = 'committed_files'),
    bytes_evidence = (select (c ->> 'evidence')::bigint from jsonb_array_elements(l.criteria) c where c ->> 'criterion' = 'latest_version_bytes'),
    versions_evidence = (select (c ->> 'evidence')::bigint from jsonb_array_elements(l.criteria) c where c ->> 'criterion' = 'versions_in_period'),
    consumers_evidence = (select (c ->> 'evidence')::bigint from jsonb_array_elements(l.criteria) c where c ->> 'criterion' = 'paying_consumers'),
    rows_evidence = (select (c ->> 'evidence')::bigint from jsonb_array_elements(l.criteria) c where c ->> 'criterion' = 'latest_version_rows'),
    completeness_evidence = (select (c ->> 'evidence')::bigint from jsonb_array_elements(l.criteria) c where c ->> 'criterion' = 'completeness_basis_points');
alter table reward_run_lines enable trigger reward_run_lines_immutable;

alter table reward_run_lines
    alter column files_evidence set not null,
    alter column bytes_evidence set not null,
    alter column versions_evidence set not null,
    alter column consumers_evidence set not null,
    drop column criteria;

-- A unit's lines are read by run, unit and position (its page of lines); lines are written sorted by unit, so this
-- index grows at its right edge while a run is stored. The index on unit_id alone served no query.
drop index reward_run_lines_unit_idx;
create index reward_run_lines_unit_idx on reward_run_lines (run_id, unit_id, position);
