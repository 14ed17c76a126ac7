-- Listing review and signed listing certificates (issue 17, 挂牌审核 · 数据产品登记凭证).
--
-- A paid dataset, or one whose provenance declares personal information or important data, is published only after
-- a listing review: registered third-party assessors (第三方服务机构) report on one committed version, bound to its
-- manifest hash; the owner applies with those reports; the operator or the bureau reviews (draft → submitted →
-- verified or returned, as records), optionally after a public notice (公示) in which any organisation may object;
-- on verification the platform issues a certificate: canonical JSON (RFC 8785) signed with SM2/SM3 and Ed25519.

-- Organisations the operator registered as assessors, with the kinds of assessment each may sign.
create table assessors (
    organization_id uuid primary key references organizations (id),
    kinds text[] not null check (cardinality(kinds) > 0 and kinds <@ array['compliance', 'quality', 'valuation']),
    registered_by uuid not null references organizations (id),
    registered_at timestamptz not null
);

-- A unit invites an assessor for one committed version of its dataset and one kind of assessment.
create table assessment_invitations (
    id uuid primary key,
    dataset_id uuid not null references datasets (id),
    version integer not null,
    owner_id uuid not null references organizations (id),
    assessor_id uuid not null references assessors (organization_id),
    kind text not null check (kind in ('compliance', 'quality', 'valuation')),
    allow_files boolean not null,
    created_at timestamptz not null,
    foreign key (dataset_id, version) references dataset_versions (dataset_id, number),
    unique (dataset_id, version, assessor_id, kind)
);

create index assessment_invitations_assessor_idx on assessment_invitations (assessor_id, id);

-- An assessor's report, bound to the manifest hash of the version it assessed. Never changed: a new report supersedes.
create table assessment_reports (
    id uuid primary key,
    invitation_id uuid not null references assessment_invitations (id),
    manifest_sha256 text not null,
    grade text not null,
    conclusion text not null,
    -- Hex SHA-256 of the report document the assessor keeps (its PDF, say): what the certificate names.
    document_sha256 text not null check (document_sha256 ~ '^[0-9a-f]{64}$'),
    report_number text not null,
    valid_until date not null,
    created_at timestamptz not null
);

create index assessment_reports_invitation_idx on assessment_reports (invitation_id, created_at);

create table listings (
    id uuid primary key,
    dataset_id uuid not null references datasets (id),
    version integer not null,
    owner_id uuid not null references organizations (id),
    status text not null check (status in ('draft', 'submitted', 'returned', 'verified', 'revoked')),
    -- The application as the unit entered it (product description, scenarios, report ids, notice wish), validated by the API.
    fields jsonb not null,
    return_reason text,
    notice_until timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    submitted_at timestamptz,
    decided_at timestamptz,
    decided_by uuid references organizations (id),
    revoked_at timestamptz,
    revoked_reason text,
    foreign key (dataset_id, version) references dataset_versions (dataset_id, number),
    check ((status = 'revoked') = (revoked_at is not null and revoked_reason is not null))
);

-- One application in progress or in force per dataset at a time.
create unique index listings_one_open on listings (dataset_id) where status in ('draft', 'submitted', 'returned', 'verified');
create index listings_review_idx on listings (submitted_at, id) where status = 'submitted';

create table listing_objections (
    id uuid primary key,
    listing_id uuid not null references listings (id),
    filed_by uuid not null references organizations (id),
    reasons text not null,
    status text not null check (status in ('open', 'dismissed', 'upheld')),
    resolution text,
    resolved_by uuid references organizations (id),
    filed_at timestamptz not null,
    resolved_at timestamptz,
    check ((status = 'open') = (resolved_at is null))
);

create index listing_objections_listing_idx on listing_objections (listing_id, filed_at);

create sequence listing_certificate_seq as bigint;

-- The certificate exactly as signed: body is its RFC 8785 canonical JSON, the bytes both signatures cover.
create table listing_certificates (
    number text primary key,
    listing_id uuid not null unique references listings (id),
    dataset_id uuid not null references datasets (id),
    body text not null,
    sm2_key_id text not null,
    sm2_signature bytea not null,
    ed25519_key_id text not null,
    ed25519_signature bytea not null,
    issued_at timestamptz not null,
    valid_until timestamptz not null
);

create index listing_certificates_dataset_idx on listing_certificates (dataset_id);

create function refuse_listing_certificate_change() returns trigger language plpgsql as $$
begin
    raise exception 'listing certificates never change (% refused): revoke the listing instead', tg_op using errcode = 'insufficient_privilege';
end $$;

create trigger listing_certificates_immutable before update or delete on listing_certificates
    for each row execute function refuse_listing_certificate_change();

-- A dataset's registrations on other exchanges (广州、上海、深圳数据交易所 …), as data assets keep theirs.
create table dataset_exchange_registrations (
    id uuid primary key,
    dataset_id uuid not null references datasets (id),
    exchange text not null,
    certificate_number text not null,
    type text not null check (type in ('initial', 'change', 'cancellation')),
    registered_on date not null,
    created_at timestamptz not null
);

create index dataset_exchange_registrations_dataset_idx on dataset_exchange_registrations (dataset_id, registered_on, id);
