-- The blob store's own checksum of the content as it stood after the upload (Azure's Content-MD5, where it keeps one),
-- compared at commit.
-- Integrity of stored content: when each blob's bytes were last read back and hashed, and whether they matched the SHA-256
-- the manifest records. Set by the background scrub and by an owner's verification; a damaged blob is refused to downloads
-- (content_unavailable) until an upload of the same content restores it. verification_claimed_until lets several API
-- instances scrub without reading the same blob twice.
alter table blobs
    add column store_checksum bytea,
    add column verified_at timestamptz,
    add column damaged_at timestamptz,
    add column damage text check (damage in ('missing', 'size', 'sha256')),
    add column verification_claimed_until timestamptz,
    add constraint blobs_damage_consistent check ((damaged_at is null) = (damage is null));

-- The scrub's order: never verified first, then the longest ago.
create index blobs_verification_idx on blobs (verified_at nulls first, created_at);
