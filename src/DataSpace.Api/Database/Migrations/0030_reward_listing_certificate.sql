-- A reward policy may require a valid listing certificate (数据产品登记凭证, issue 17) as a qualification criterion; off
-- for every existing policy. A line of such a run keeps the number of the certificate it qualified with (null: none in
-- force in the period); the evidence (1 or 0), threshold and verdict are derived from it under the immutable policy.

alter table reward_policies
    add column require_listing_certificate boolean not null default false;

alter table reward_run_lines
    add column certificate_number text;
