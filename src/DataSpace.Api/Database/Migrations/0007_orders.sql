-- Paid data: data use agreements (terms), plans, orders, payments, entitlements and the revenue ledger.

create table dataset_terms (
    dataset_id uuid not null references datasets (id),
    version integer not null check (version > 0),
    text text not null,
    sha256 text not null,
    created_at timestamptz not null,
    primary key (dataset_id, version)
);

create table agreements (
    dataset_id uuid not null,
    terms_version integer not null,
    organization_id uuid not null references organizations (id),
    client_id text not null,
    accepted_at timestamptz not null,
    primary key (dataset_id, terms_version, organization_id),
    foreign key (dataset_id, terms_version) references dataset_terms (dataset_id, version)
);

create table plans (
    id uuid primary key,
    dataset_id uuid not null references datasets (id),
    kind text not null check (kind in ('one_time', 'subscription')),
    period text check (period in ('P1M', 'P3M', 'P1Y')),
    price_fen bigint not null check (price_fen > 0),
    currency text not null check (currency = 'CNY'),
    active boolean not null,
    created_at timestamptz not null,
    check ((kind = 'subscription') = (period is not null))
);

create index plans_dataset_idx on plans (dataset_id);

create table orders (
    id uuid primary key,
    buyer_id uuid not null references organizations (id),
    client_id text not null,
    dataset_id uuid not null references datasets (id),
    seller_id uuid not null references organizations (id),
    plan_id uuid not null references plans (id),
    -- The price and terms as they were when the order was placed.
    kind text not null,
    period text,
    price_fen bigint not null check (price_fen > 0),
    terms_version integer not null,
    status text not null check (status in ('pending_payment', 'paid', 'cancelled', 'refunded')),
    created_at timestamptz not null,
    paid_at timestamptz,
    closed_at timestamptz
);

create index orders_buyer_idx on orders (buyer_id, id desc);
create index orders_seller_idx on orders (seller_id, id desc);

create table payments (
    id uuid primary key,
    order_id uuid not null unique references orders (id),
    amount_fen bigint not null check (amount_fen > 0),
    -- The payment provider's reference: one payment, one reference, whoever reports it.
    reference text not null unique,
    source text not null check (source in ('operator', 'webhook')),
    received_at timestamptz not null
);

create table entitlements (
    id uuid primary key,
    order_id uuid not null unique references orders (id),
    organization_id uuid not null references organizations (id),
    dataset_id uuid not null references datasets (id),
    valid_from timestamptz not null,
    -- Null for a one-time purchase: it does not expire.
    valid_until timestamptz,
    revoked_at timestamptz
);

create index entitlements_holder_idx on entitlements (organization_id, dataset_id);

-- The revenue ledger: + on payment, − on refund, per dataset and unit, in the Asia/Shanghai month it happened.
create table revenue_entries (
    id uuid primary key,
    dataset_id uuid not null references datasets (id),
    unit_id uuid not null references organizations (id),
    order_id uuid not null references orders (id),
    kind text not null check (kind in ('payment', 'refund')),
    amount_fen bigint not null check ((kind = 'payment' and amount_fen > 0) or (kind = 'refund' and amount_fen < 0)),
    period_month date not null,
    occurred_at timestamptz not null,
    unique (order_id, kind)
);

create index revenue_entries_unit_idx on revenue_entries (unit_id, occurred_at);

create function refuse_revenue_change() returns trigger language plpgsql as $$
begin
    raise exception 'the revenue ledger is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end $$;

create trigger revenue_entries_append_only before update or delete on revenue_entries
    for each row execute function refuse_revenue_change();
