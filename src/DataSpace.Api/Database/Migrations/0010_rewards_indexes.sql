-- Revenue and paid orders looked up per dataset and period (reward runs, refunds): found missing by the bench's
-- reward run over 1,000,000 ledger entries.
create index revenue_entries_dataset_idx on revenue_entries (dataset_id, occurred_at);
create index orders_dataset_idx on orders (dataset_id, paid_at) where status = 'paid';
