-- The demo third-party assessor (第三方服务机构, issue 17), registered by the demo operator for compliance and quality
-- assessments, with its API client. Fictional Guangzhou firm with a valid 统一社会信用代码 check character.
-- Idempotent: safe to apply on every start.

insert into organizations (id, name, unified_social_credit_code, roles, created_at) values
    ('01900000-0000-7000-8000-000000000006', '广东粤数合规评估有限公司', '91440101MA5CPG3R2A', array['assessor'], '2026-01-10T09:00:00+08:00')
on conflict (id) do nothing;

insert into assessors (organization_id, kinds, registered_by, registered_at) values
    ('01900000-0000-7000-8000-000000000006', array['compliance', 'quality'], '01900000-0000-7000-8000-000000000001', '2026-01-10T10:00:00+08:00')
on conflict (organization_id) do nothing;

insert into api_clients (client_id, organization_id, name, secret_sha256, scopes, created_at) values
    ('demo-assessor', '01900000-0000-7000-8000-000000000006', '粤数评估演示客户端', decode(:'demo_assessor_secret_sha256', 'hex'),
        array['catalog', 'records', 'audit', 'webhooks'], '2026-01-10T09:00:00+08:00')
on conflict (client_id) do update set secret_sha256 = excluded.secret_sha256, disabled_at = null;
