-- The reward run's data (issue 5): :units source units, each with :per_unit published paid datasets (one plan each),
-- :per_dataset paid orders per dataset and their payment entries in the revenue ledger, spread over 2026 (Asia/Shanghai),
-- and one consent per unit that lets the bureau :'bureau' read its revenue and usage statistics (all datasets), valid
-- from a day ago to a day ahead. Buyer of every order: :'buyer'. Straight into the tables, one transaction; bench
-- database only, never a seed of `./dataspace up`.
--
-- Ids: organisations, datasets, plans and consents shaped like the API's uuid v7 (48-bit milliseconds of 2025-06-01
-- plus their number, then a hash of their name and number), stable across runs and ordered like ids the API made then,
-- as bench/seed-catalog.sql makes them: plain md5 ids sorted above every real v7 id and so posed as the newest rows
-- of the catalog. Orders and ledger entries gen_random_uuid(). Amounts from random() after setseed, so every run seeds the same figures.

\set ON_ERROR_STOP 1

begin;

select setseed(0.5);

create function pg_temp.bench_id(label text, n bigint) returns uuid language sql immutable as $$
    select (lpad(to_hex((extract(epoch from timestamptz '2025-06-01 09:00:00+08') * 1000)::bigint + n), 12, '0')
            || '7' || substr(md5(label || n), 1, 3) || '8' || substr(md5(label || n), 4, 15))::uuid
$$;

insert into organizations (id, name, unified_social_credit_code, roles, created_at)
select pg_temp.bench_id('bench-reward-unit-', u), '基准奖励数据单位 ' || u, '91442000BR' || lpad(u::text, 8, '0'),
       array['source_unit'], timestamptz '2025-06-01 09:00:00+08'
from generate_series(1, :units) as u;

create temporary table bench_reward_datasets on commit drop as
select pg_temp.bench_id('bench-reward-dataset-', i) as id, pg_temp.bench_id('bench-reward-plan-', i) as plan_id,
       pg_temp.bench_id('bench-reward-unit-', 1 + (i - 1) / :per_unit) as unit_id, i
from generate_series(1, :units * :per_unit) as i;

insert into datasets (id, owner_id, title, description, industry, tags, access, licence, update_frequency, security_level,
                      personal_information, personal_information_consent_ref, provenance, status, search_text,
                      created_at, updated_at, published_at)
select d.id, d.unit_id, '奖励基准数据集 #' || d.i, '奖励基准：付费数据集。Paid dataset for the reward bench.', '灯饰照明',
       array['灯饰照明', 'reward bench'], 'paid', 'CC BY 4.0', 'monthly', 'general', 'none', null,
       '{"source_type":"self_operated","source_systems":["bench generator"],"collection_period":{"start":"2025-01-01","end":"2025-12-31"},"collection_method":"synthetic rows for the reward bench","legal_basis":"generated test data","rights":{"resource_holding":{"holder":"基准奖励数据单位","basis":"自行采集"},"processing_use":{"holder":"基准奖励数据单位","basis":"自行采集"},"product_operation":{"holder":"基准奖励数据单位","basis":"自行采集"}},"lineage":[]}'::jsonb,
       'published', lower('奖励基准数据集 #' || d.i || E'\n' || 'reward bench'),
       timestamptz '2025-12-01 00:00:00+08', timestamptz '2025-12-01 00:00:00+08', timestamptz '2025-12-01 00:00:00+08'
from bench_reward_datasets d;

insert into plans (id, dataset_id, kind, period, price_fen, currency, active, created_at)
select d.plan_id, d.id, 'one_time', null, 100000, 'CNY', true, timestamptz '2025-12-01 00:00:00+08'
from bench_reward_datasets d;

-- One order per ledger entry: (order_id, kind) is unique in revenue_entries.
create temporary table bench_reward_orders on commit drop as
select gen_random_uuid() as order_id, d.id as dataset_id, d.unit_id, d.plan_id,
       1 + floor(random() * 500000)::bigint as amount_fen,
       timestamptz '2026-01-01 00:00:00+08' + random() * interval '365 days' as at
from bench_reward_datasets d, generate_series(1, :per_dataset) as k;

insert into orders (id, buyer_id, client_id, dataset_id, seller_id, plan_id, kind, period, price_fen, terms_version, status,
                    created_at, paid_at, closed_at)
select o.order_id, :'buyer'::uuid, 'demo-model-builder', o.dataset_id, o.unit_id, o.plan_id, 'one_time', null, o.amount_fen, 1,
       'paid', o.at - interval '1 minute', o.at, null
from bench_reward_orders o;

insert into revenue_entries (id, dataset_id, unit_id, order_id, kind, amount_fen, period_month, occurred_at)
select gen_random_uuid(), o.dataset_id, o.unit_id, o.order_id, 'payment', o.amount_fen,
       date_trunc('month', o.at at time zone 'Asia/Shanghai')::date, o.at
from bench_reward_orders o;

insert into consents (id, grantor_id, grantee_id, categories, all_datasets, dataset_ids, purpose_code, purpose_text, legal_basis,
                      valid_from, valid_until, request_id, created_at)
select pg_temp.bench_id('bench-reward-consent-', u), pg_temp.bench_id('bench-reward-unit-', u), :'bureau'::uuid,
       array['revenue', 'usage_statistics'], true, '{}', 'bench', '语料奖励基准 reward bench', 'bench',
       now() - interval '1 day', now() + interval '1 day', null, now()
from generate_series(1, :units) as u;

commit;

vacuum (analyze) organizations, datasets, plans, orders, revenue_entries, consents;
-- The seeding wrote a lot of WAL: checkpoint now rather than in the middle of a measurement.
checkpoint;
