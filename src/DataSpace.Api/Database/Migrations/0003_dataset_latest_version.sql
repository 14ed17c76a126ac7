-- The latest committed version on the dataset row itself, set on commit, so catalog pages need no sub-query per row.
alter table datasets add column latest_version integer;

update datasets d set latest_version = v.number
from (select dataset_id, max(number) as number from dataset_versions where status = 'committed' group by dataset_id) v
where v.dataset_id = d.id;
