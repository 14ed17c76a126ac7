-- The API runs as a role with data rights only (no DDL): creating next month's usage-ledger partition is the
-- schema owner's work, so the function runs with its owner's rights. search_path is pinned, as a security definer
-- function must.
alter function ensure_usage_partition(date) security definer set search_path = public, pg_temp;
