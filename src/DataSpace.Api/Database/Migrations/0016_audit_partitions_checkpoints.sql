-- The audit chain in partitions, anchored by signed checkpoints (issues 12 and 15).
--
-- Until now one global advisory lock made every append wait for every other, and nothing outside the database
-- vouched for the chain, so deleting the newest events or rewriting one and recomputing every later hash still
-- verified. From here on:
-- * Each subject organisation has its own partition (events about no organisation go to 'platform'), with its own
--   gapless position (partition_seq), its own genesis and its own lock, so unrelated writers never wait for each other.
--   Events written before this migration stay as they are, as the frozen partition 'global' (canonical form v1).
-- * seq stays the global order the owner's and the operator's views page by; it now comes from a sequence (no lock),
--   so it may have gaps (a rolled-back append consumes a number). Within a partition it still grows with partition_seq.
-- * A checkpoint is a message listing every partition's length and head, signed by a key the database does not hold
--   (the API's signing key file), published for anyone to keep and check offline with openssl.

alter table audit_events add column partition text, add column partition_seq bigint;
-- The one sanctioned change to existing rows: label them, under the migration's own transaction.
alter table audit_events disable trigger audit_events_append_only;
update audit_events set partition = 'global', partition_seq = seq;
alter table audit_events enable trigger audit_events_append_only;
alter table audit_events alter column partition set not null, alter column partition_seq set not null,
    add constraint audit_events_partition_seq_check check (partition_seq > 0);
create unique index audit_events_partition_idx on audit_events (partition, partition_seq);

create sequence audit_events_seq as bigint owned by audit_events.seq;
select setval('audit_events_seq', coalesce((select max(seq) from audit_events), 0) + 1, false);

create table audit_checkpoints (
    number bigint primary key check (number > 0),
    created_at timestamptz not null,
    -- Hex SHA-256 of the signing key's SubjectPublicKeyInfo (DER): which key signed it.
    key_id text not null,
    -- Events covered, over all partitions.
    events bigint not null check (events >= 0),
    -- The exact signed bytes (UTF-8 text, LF line ends) and the Ed25519 signature over them.
    message bytea not null,
    signature bytea not null check (length(signature) = 64)
);

create trigger audit_checkpoints_append_only before update or delete on audit_checkpoints
    for each row execute function refuse_audit_change();
create trigger audit_checkpoints_no_truncate before truncate on audit_checkpoints
    for each statement execute function refuse_audit_change();
