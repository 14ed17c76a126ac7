-- Signed payment notifications already accepted: a delivery seen once is refused the second time (replay).
create table webhook_deliveries (
    signature_sha256 bytea primary key,
    received_at timestamptz not null
);
