-- A coherent in-process cache of validated access tokens (issue 15).
--
-- Every change that can end or narrow a token — a revocation, a client disabled or changed (secret, scopes), an
-- organisation changed (roles) or removed — bumps one epoch counter and sends one NOTIFY, from triggers, in the same
-- transaction as the change: nothing can forget to notify, and the notification is delivered exactly when the change
-- commits (never for a rolled-back one). Each API instance listens on a dedicated connection, drops the matching
-- cache entries, and acknowledges the epoch in its row of token_cache_listeners. That row is also its lease: an
-- instance uses its cache only while its lease is live, and a lease can only be extended by an instance that has
-- acknowledged every committed epoch. The code that revokes waits, after its commit, until every live listener has
-- acknowledged or its lease has run out (TokenCacheFence), so the very next request on any instance is refused.
-- The API's role changes these tables through its ordinary data rights; it cannot drop or disable the triggers.

-- One row: the number of token-affecting changes committed so far. Updating it serialises those changes (they are
-- rare), so epochs are committed and notified in order, without gaps.
create table token_cache_epoch (
    singleton boolean primary key default true check (singleton),
    epoch bigint not null check (epoch >= 0)
);
insert into token_cache_epoch (epoch) values (0);

-- One row per listening API instance: what it has acknowledged, and until when it may use its cache.
create table token_cache_listeners (
    instance_id uuid primary key,
    backend_pid integer not null,
    acked_epoch bigint not null,
    lease_expires_at timestamptz not null,
    registered_at timestamptz not null
);

-- Bumps the epoch and notifies: kind is 'token' (hex SHA-256 of tokens), 'client' (client ids), 'organization'
-- (organisation ids) or 'all'. Nothing to say (no row changed) sends nothing; more than 100 ids become 'all', so the
-- payload stays far below NOTIFY's 8000 bytes.
create function token_cache_notify(kind text, ids text[]) returns void language plpgsql as $$
declare
    e bigint;
begin
    if ids is not null and cardinality(ids) = 0 then
        return;
    end if;
    if ids is null or cardinality(ids) > 100 then
        kind := 'all';
        ids := '{}';
    end if;
    update token_cache_epoch set epoch = epoch + 1 returning epoch into e;
    perform pg_notify('dataspace_token_cache', json_build_object('epoch', e, 'kind', kind, 'ids', ids)::text);
end $$;

create function token_cache_tokens_changed() returns trigger language plpgsql as $$
declare
    hashes text[];
    clients text[];
begin
    if tg_op = 'TRUNCATE' then
        perform token_cache_notify('all', null);
        return null;
    end if;
    if tg_op = 'UPDATE' then
        hashes := array(select encode(o.token_sha256, 'hex') from old_rows o);
        clients := array(select distinct o.client_id from old_rows o);
    else
        -- The purge deletes tokens long expired or revoked: their end was notified (or needs none). Only the deletion
        -- of a token that could still be live is news.
        hashes := array(select encode(o.token_sha256, 'hex') from old_rows o where o.revoked_at is null and o.expires_at > now());
        clients := array(select distinct o.client_id from old_rows o where o.revoked_at is null and o.expires_at > now());
    end if;
    -- Many tokens of few clients (a client disabled): drop by client rather than everything.
    if cardinality(hashes) > 100 and cardinality(clients) <= 100 then
        perform token_cache_notify('client', clients);
    else
        perform token_cache_notify('token', hashes);
    end if;
    return null;
end $$;

-- api_clients and organizations: drop by the changed rows' key (tg_argv: the kind and the key column).
create function token_cache_rows_changed() returns trigger language plpgsql as $$
declare
    ids text[];
begin
    if tg_op = 'TRUNCATE' then
        perform token_cache_notify('all', null);
    else
        execute format('select array(select distinct o.%I::text from old_rows o)', tg_argv[1]) into ids;
        perform token_cache_notify(tg_argv[0], ids);
    end if;
    return null;
end $$;

-- Statement-level with transition tables (one NOTIFY per statement, not per row); PostgreSQL allows a transition
-- table only on a trigger of one event, hence one trigger per event.
do $$
declare
    t record;
    op text;
begin
    for t in select * from (values
        ('access_tokens', 'token_cache_tokens_changed', ''),
        ('api_clients', 'token_cache_rows_changed', '''client'', ''client_id'''),
        ('organizations', 'token_cache_rows_changed', '''organization'', ''id''')) as v(tab, fn, args)
    loop
        foreach op in array array['update', 'delete'] loop
            execute format('create trigger %I after %s on %I referencing old table as old_rows for each statement execute function %I(%s)',
                t.tab || '_cache_' || op, op, t.tab, t.fn, t.args);
        end loop;
        execute format('create trigger %I after truncate on %I for each statement execute function %I(%s)',
            t.tab || '_cache_truncate', t.tab, t.fn, t.args);
    end loop;
end $$;
