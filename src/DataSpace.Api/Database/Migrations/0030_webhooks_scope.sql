-- Managing webhook endpoints needs its own scope, `webhooks`, instead of `catalog`: a token meant for browsing and
-- downloading should not be able to point the organisation's events (orders, consents, records) at another server.
-- Every client that could manage endpoints until now (it held `catalog`) keeps that ability, so no running
-- integration breaks; clients created from now on get `webhooks` only when they are given it (or all their scopes).
-- Tokens issued before keep the scopes they were issued with until they expire.
update api_clients set scopes = array_append(scopes, 'webhooks')
where 'catalog' = any (scopes) and not 'webhooks' = any (scopes);
