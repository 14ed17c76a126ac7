-- Running totals per dataset for the reward run's two ledger-sized inputs, kept by triggers in the same transaction as
-- the rows they sum, so a run reads ~one row per dataset per year instead of every payment and every order of the
-- period (measured: the two scans and their grouping were most of a city run's gather time, growing with the ledger).
--
-- Each total exists at three grains of Asia/Shanghai time: the year ('y', starts on 1 January), the month ('m', starts
-- on the 1st) and the day ('d'). A period of whole days is the disjoint union of whole years, whole months and the days
-- left over (DataSpace.Usage.PeriodSegments), so summing those rows is exactly the sum over the period's entries: money
-- stays integer fen and exact, and no total is ever estimated.
--
-- The tables are derived data: the API's role may only read them (ApplicationRole.DerivedTables), and the trigger
-- functions that write them run as their owner. A compromised API host cannot make a total disagree with the ledger.

create table revenue_rollups (
    grain char(1) not null check (grain in ('y', 'm', 'd')),
    starts date not null,
    dataset_id uuid not null,
    amount_fen bigint not null,
    primary key (grain, starts, dataset_id)
);

-- Paid orders per dataset and buyer, counted where they were paid: a buyer is a paying consumer of a period while its
-- count there is above zero. A refund takes the order out of the count of the period it was paid in.
create table order_buyer_rollups (
    grain char(1) not null check (grain in ('y', 'm', 'd')),
    starts date not null,
    dataset_id uuid not null,
    buyer_id uuid not null,
    -- No check (paid_orders >= 0): a refund upserts −1, and PostgreSQL checks the proposed row before it finds the conflict.
    paid_orders integer not null,
    primary key (grain, starts, dataset_id, buyer_id)
);

-- The three grains' starts of an instant, in Asia/Shanghai.
create function shanghai_grains(at timestamptz) returns table (grain char(1), starts date)
language sql immutable parallel safe set search_path = public, pg_temp as $$
    select g.grain, g.starts
    from (select (at at time zone 'Asia/Shanghai')::date as local) l,
         lateral (values ('y'::char(1), date_trunc('year', l.local)::date), ('m'::char(1), date_trunc('month', l.local)::date), ('d'::char(1), l.local)) as g(grain, starts)
$$;

-- Set-based: one statement of many ledger rows (a seed, a batch) is one grouped upsert, not a row at a time. Keys are
-- taken in sorted order so concurrent payments lock the same totals in the same order.
create function revenue_rollups_add() returns trigger language plpgsql security definer set search_path = public, pg_temp as $$
begin
    insert into revenue_rollups (grain, starts, dataset_id, amount_fen)
    select g.grain, g.starts, n.dataset_id, sum(n.amount_fen)::bigint
    from new_entries n cross join lateral shanghai_grains(n.occurred_at) g
    group by g.grain, g.starts, n.dataset_id
    order by g.grain, g.starts, n.dataset_id
    on conflict (grain, starts, dataset_id) do update set amount_fen = revenue_rollups.amount_fen + excluded.amount_fen;
    return null;
end $$;

create trigger revenue_entries_rollup after insert on revenue_entries
    referencing new table as new_entries for each statement execute function revenue_rollups_add();

-- An order counts +1 where it is paid; an update moves it: −1 where the old row counted, +1 where the new one does.
create function order_buyer_rollups_insert() returns trigger language plpgsql security definer set search_path = public, pg_temp as $$
begin
    insert into order_buyer_rollups (grain, starts, dataset_id, buyer_id, paid_orders)
    select g.grain, g.starts, n.dataset_id, n.buyer_id, count(*)::integer
    from new_orders n cross join lateral shanghai_grains(n.paid_at) g
    where n.status = 'paid' and n.paid_at is not null
    group by g.grain, g.starts, n.dataset_id, n.buyer_id
    order by g.grain, g.starts, n.dataset_id, n.buyer_id
    on conflict (grain, starts, dataset_id, buyer_id) do update set paid_orders = order_buyer_rollups.paid_orders + excluded.paid_orders;
    return null;
end $$;

create function order_buyer_rollups_update() returns trigger language plpgsql security definer set search_path = public, pg_temp as $$
begin
    insert into order_buyer_rollups (grain, starts, dataset_id, buyer_id, paid_orders)
    select g.grain, g.starts, d.dataset_id, d.buyer_id, sum(d.delta)::integer
    from (select n.dataset_id, n.buyer_id, n.paid_at, 1 as delta from new_orders n where n.status = 'paid' and n.paid_at is not null
          union all
          select o.dataset_id, o.buyer_id, o.paid_at, -1 from old_orders o where o.status = 'paid' and o.paid_at is not null) d
    cross join lateral shanghai_grains(d.paid_at) g
    group by g.grain, g.starts, d.dataset_id, d.buyer_id
    having sum(d.delta) <> 0
    order by g.grain, g.starts, d.dataset_id, d.buyer_id
    on conflict (grain, starts, dataset_id, buyer_id) do update set paid_orders = order_buyer_rollups.paid_orders + excluded.paid_orders;
    return null;
end $$;

create trigger orders_buyer_rollup_insert after insert on orders
    referencing new table as new_orders for each statement execute function order_buyer_rollups_insert();
create trigger orders_buyer_rollup_update after update on orders
    referencing old table as old_orders new table as new_orders for each statement execute function order_buyer_rollups_update();

-- What the ledger and the orders hold today.
insert into revenue_rollups (grain, starts, dataset_id, amount_fen)
select g.grain, g.starts, r.dataset_id, sum(r.amount_fen)::bigint
from revenue_entries r cross join lateral shanghai_grains(r.occurred_at) g
group by g.grain, g.starts, r.dataset_id;

insert into order_buyer_rollups (grain, starts, dataset_id, buyer_id, paid_orders)
select g.grain, g.starts, o.dataset_id, o.buyer_id, count(*)::integer
from orders o cross join lateral shanghai_grains(o.paid_at) g
where o.status = 'paid' and o.paid_at is not null
group by g.grain, g.starts, o.dataset_id, o.buyer_id;
