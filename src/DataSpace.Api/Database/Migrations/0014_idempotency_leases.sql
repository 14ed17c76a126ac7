-- A claimed idempotency key is held under a lease its request renews while it runs: when the API instance dies
-- between claiming a key and recording the response, the lease runs out within seconds and a retry takes the key
-- over, instead of answering "in progress" until the key's retention ends.
-- holder names the request that holds the claim, so a request whose claim was taken over cannot settle the new one.
alter table idempotency_keys add column lease_until timestamptz, add column holder uuid;
update idempotency_keys set lease_until = coalesce(completed_at, created_at);
alter table idempotency_keys alter column lease_until set not null;
