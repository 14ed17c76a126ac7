-- Auto-approval by what the bureau or the listing review verified (issue 18): an owner's rules may approve, when they
-- file, requesters that hold a verified record of a kind (data_asset, dcmm_certificate with a lowest level,
-- data_space_pilot) that has not expired, or a listing certificate in force: [{"kind", "min_level"?}].
alter table dataset_access_policies add column auto_approve_certificates jsonb not null default '[]';
