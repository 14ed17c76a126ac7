-- A draft version could never be deleted: the immutability trigger returned NEW, which is NULL on DELETE, so Postgres
-- silently skipped the row. Deleting a draft dataset (with its open version) needs that delete to happen; committed
-- versions and their files stay immutable exactly as before.
create or replace function refuse_committed_version_change() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'dataset_versions' then
        if old.status = 'committed' then
            raise exception 'version % of dataset % is committed and immutable', old.number, old.dataset_id using errcode = 'check_violation';
        end if;
        return case when tg_op = 'DELETE' then old else new end;
    end if;
    if exists (select 1 from dataset_versions v where v.dataset_id = old.dataset_id and v.number = old.version_number and v.status = 'committed') then
        raise exception 'version % of dataset % is committed and immutable', old.version_number, old.dataset_id using errcode = 'check_violation';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end $$;
