using System.Reflection;
using System.Text.Json.Nodes;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Webhooks;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Access;
using DataSpace.Contracts.Consents;
using DataSpace.Contracts.Datasets;
using DataSpace.Contracts.Health;
using DataSpace.Contracts.Listings;
using DataSpace.Contracts.Orders;
using DataSpace.Contracts.Records;
using DataSpace.Contracts.Rewards;
using DataSpace.Contracts.Usage;
using DataSpace.Contracts.Versions;
using DataSpace.Contracts.Webhooks;
using DataSpace.Usage.Rewards;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DataSpace.Api.OpenApi;

/// <summary>
/// What the generated document cannot learn from the C# types: the closed sets of values (taken from the same arrays
/// and constants the server validates with), the members the server requires, what the shared parameters mean,
/// examples of request bodies, and the parameter a catch-all route segment declares. Generators (Kiota, NSwag,
/// openapi-generator) and the docs page read these.
/// </summary>
/// <summary>Documents a 200 (and 206) that sends a file or an export: binary in each media type, or JSON of a type.</summary>
internal sealed record FileResponse(string Description, string[] MediaTypes, Type? Json = null, bool Partial = false);

internal static class ContractDocs
{
    /// <summary>
    /// Closed sets by member name, whatever schema holds them. Every value list is the <c>All</c> of a shared definition
    /// (DataSpace.Contracts, or the code's own vocabulary such as Roles and Scopes), never a list written here:
    /// OpenApiEnumTests fails on any enum that is not.
    /// </summary>
    private static readonly Dictionary<string, IReadOnlyList<string>> ByMember = new(StringComparer.Ordinal)
    {
        ["access"] = AccessModes.All,
        ["update_frequency"] = UpdateFrequencies.All,
        ["security_level"] = SecurityLevels.All,
        ["personal_information"] = PersonalInformationKinds.All,
        ["source_type"] = SourceTypes.All,
        ["roles"] = Roles.All,
        ["organization_roles"] = Roles.All,
        ["auto_approve_roles"] = Roles.All,
        ["assignee_roles"] = Roles.All,
        ["scopes"] = Scopes.All,
        ["scopes_supported"] = Scopes.All,
        ["console_role"] = ConsoleRoles.All,
        ["categories"] = ConsentCategories.All,
        ["cap_scope"] = CapScopes.All,
        ["period"] = PlanPeriods.All,
        ["currency"] = Currencies.All,
        ["accounting_category"] = AccountingCategories.All,
        ["acquisition"] = Acquisitions.All,
        ["methods"] = ValuationMethods.All,
        ["standard"] = DcmmStandards.All,
        ["reason_code"] = RewardReasons.All,
        ["criterion"] = RewardCriteria.All,
        ["granularity"] = Granularities.All,
        ["view"] = ManifestViews.All,
        ["kinds"] = AssessmentKinds.All,
        ["outcome"] = ObjectionOutcomes.All,
    };

    /// <summary>Closed sets that differ between schemas (every "status" is its own lifecycle).</summary>
    private static readonly Dictionary<(string Schema, string Member), IReadOnlyList<string>> BySchema = new()
    {
        [("Dataset", "status")] = DatasetStatuses.All,
        [("DatasetSummary", "status")] = DatasetStatuses.All,
        [("DatasetVersion", "status")] = VersionStatuses.All,
        [("Order", "status")] = OrderStatuses.All,
        [("Order", "kind")] = PlanKinds.All,
        [("Plan", "kind")] = PlanKinds.All,
        [("CreatePlanRequest", "kind")] = PlanKinds.All,
        [("Consent", "status")] = ConsentStatuses.All,
        [("ConsentRequest", "status")] = ConsentRequestStatuses.All,
        [("RewardRun", "status")] = RewardRunStatuses.All,
        [("RewardRunSummary", "status")] = RewardRunStatuses.All,
        [("DataAsset", "status")] = RecordStatuses.All,
        [("DcmmCertificate", "status")] = RecordStatuses.All,
        [("DataSpacePilot", "status")] = RecordStatuses.All,
        [("DataSpacePilot", "level")] = PilotLevels.All,
        [("ExchangeRegistration", "type")] = RegistrationTypes.All,
        [("AddRegistrationRequest", "type")] = RegistrationTypes.All,
        [("FileProfile", "status")] = ProfileStatuses.All,
        [("ParquetRendition", "status")] = RenditionStatuses.All,
        [("FileVerification", "status")] = FileConditions.All,
        [("HealthReport", "status")] = HealthStatuses.All,
        [("WebhookDelivery", "status")] = DeliveryStatuses.All,
        [("WebhookAttempt", "trigger")] = DeliveryTriggers.All,
        [("CreateWebhookEndpointRequest", "events")] = WebhookEventTypes.All,
        [("WebhookEndpoint", "events")] = WebhookEventTypes.All,
        [("WebhookDelivery", "event_type")] = WebhookEventTypes.All,
        [("WebhookEventType", "type")] = WebhookEventTypes.All,
        [("AutoApproveCertificate", "kind")] = CertificateKinds.All,
        [("AccessPolicy", "policy")] = AccessPolicyKinds.All,
        [("SetAccessPolicyRequest", "policy")] = AccessPolicyKinds.All,
        [("AccessRequest", "status")] = AccessRequestStatuses.All,
        [("Grant", "kind")] = GrantKinds.All,
        [("Grant", "status")] = GrantStatuses.All,
        [("Holding", "kind")] = HoldingKinds.All,
        [("Listing", "status")] = ListingStatuses.All,
        [("ListingCertificate", "status")] = CertificateStatuses.All,
        [("ListingObjection", "status")] = ObjectionStatuses.All,
        [("AssessmentInvitation", "kind")] = AssessmentKinds.All,
        [("AssessmentReport", "kind")] = AssessmentKinds.All,
        [("CreateAssessmentInvitationRequest", "kind")] = AssessmentKinds.All,
    };

    /// <summary>Request members the server refuses to go without (validation_failed naming them otherwise).</summary>
    private static readonly Dictionary<string, string[]> Required = new(StringComparer.Ordinal)
    {
        ["CreateOrganizationRequest"] = ["name", "unified_social_credit_code", "roles"],
        ["CreateClientRequest"] = ["name"],
        ["CreateUserRequest"] = ["email", "display_name", "console_role"],
        ["InviteUserRequest"] = ["email", "display_name", "console_role"],
        ["SignInRequest"] = ["email", "password"],
        ["ChangePasswordRequest"] = ["current_password", "new_password"],
        ["ConfirmTotpRequest"] = ["enrolment_token", "code"],
        ["DisableTotpRequest"] = ["code"],
        ["CreateWebhookEndpointRequest"] = ["url", "events"],
        ["DatasetFields"] = ["title", "industry", "access", "licence", "update_frequency", "security_level", "personal_information", "provenance"],
        ["Provenance"] = ["source_type", "collection_method", "legal_basis"],
        ["CreatePlanRequest"] = ["kind", "price_fen"],
        ["CreateOrderRequest"] = ["plan_id"],
        ["ConfirmPaymentRequest"] = ["amount_fen", "reference"],
        ["PaymentNotification"] = ["order_id", "amount_fen", "reference"],
        ["SetTermsRequest"] = ["text"],
        ["AcceptTermsRequest"] = ["terms_version"],
        ["GrantConsentRequest"] = ["grantee", "categories", "all_datasets", "purpose", "legal_basis", "valid_from", "valid_until"],
        ["CreateConsentRequestRequest"] = ["unit", "categories", "all_datasets", "purpose", "legal_basis", "valid_from", "valid_until"],
        ["ConsentPurpose"] = ["code", "text"],
        ["SetPreviewPolicyRequest"] = ["statistics", "hashes"],
        ["ReturnRecordRequest"] = ["reason"],
        ["CreateRewardPolicyRequest"] = ["name", "cap_scope", "min_files", "min_bytes", "min_versions_in_period", "min_paying_consumers"],
        ["CreateRewardRunRequest"] = ["policy_id"],
        ["AddValuationRequest"] = ["assessor_firm", "appraisers", "methods", "base_date", "value_fen", "report_number"],
        ["AddRegistrationRequest"] = ["exchange", "certificate_number", "type", "registered_on"],
    };

    /// <summary>What a member means where the contract's XML docs say nothing: the same meaning in every schema.</summary>
    private static readonly Dictionary<string, string> MemberDescriptions = new(StringComparer.Ordinal)
    {
        ["id"] = "The object's id (opaque).",
        ["details"] = "What changed or was read, as the action records it.",
        ["grantor"] = "The source unit that gives the consent (授权方).",
        ["grantee"] = "The organisation the consent is given to (被授权方).",
        ["requester"] = "The organisation that asks for the consent.",
        ["unit"] = "The source unit (数源单位) concerned.",
        ["owner"] = "The organisation that owns the dataset (数据持有方).",
        ["items"] = "This page's entries, in the list's order.",
        ["next_cursor"] = "Pass as cursor for the next page; null on the last page.",
        ["unit_credit_code"] = "The unit's unified social credit code (统一社会信用代码).",
        ["issuer"] = "RFC 8414: the authorization server's issuer identifier (this API's base URL).",
        ["token_endpoint"] = "RFC 8414: where client credentials are exchanged for an access token.",
        ["token_endpoint_auth_methods_supported"] = "RFC 8414: how a client may authenticate at the token endpoint.",
        ["grant_types_supported"] = "RFC 8414: the OAuth grant types this server issues tokens for.",
        ["scopes_supported"] = "RFC 8414: the scopes a token may carry.",
        ["response_types_supported"] = "RFC 8414: the response types of the authorization endpoint (none: client credentials only).",
        ["introspection_endpoint"] = "RFC 7662: where a resource server asks whether a token is active.",
        ["introspection_endpoint_auth_methods_supported"] = "RFC 8414: how a client authenticates at the introspection endpoint.",
        ["revocation_endpoint"] = "RFC 7009: where a client revokes a token.",
        ["revocation_endpoint_auth_methods_supported"] = "RFC 8414: how a client authenticates at the revocation endpoint.",
        ["service_documentation"] = "RFC 8414: human-readable documentation (the docs page).",
        ["created_at"] = "When it was created (RFC 3339, UTC).",
        ["updated_at"] = "When it last changed.",
        ["dataset_id"] = "The dataset's id.",
        ["valid_from"] = "Start of validity, inclusive (RFC 3339 with offset).",
        ["valid_until"] = "End of validity, exclusive (RFC 3339 with offset).",
        ["dataset_ids"] = "The datasets named (empty when all_datasets is true).",
        ["categories"] = "Categories of data: dataset_files, usage_statistics, revenue, asset_records, dcmm_records.",
        ["all_datasets"] = "true: every dataset of the unit, present and future; false: only dataset_ids.",
        ["certificate_number"] = "The certificate's number as issued.",
        ["rate_basis_points"] = "A rate in basis points (1000 = 10 %).",
        ["name"] = "The name.",
        ["legal_basis"] = "The legal basis (law, policy document or contract).",
        ["owner_id"] = "The owning organisation's id.",
        ["submitted_at"] = "When it was submitted to the bureau.",
        ["title"] = "The title.",
        ["evidence"] = "The evidence file, when attached.",
        ["exchange"] = "The data exchange (数据交易所).",
        ["registered_on"] = "The registration date (YYYY-MM-DD).",
        ["assessor_firm"] = "The asset assessment firm (资产评估机构).",
        ["appraisers"] = "The appraisers who signed the report.",
        ["base_date"] = "The valuation base date (评估基准日).",
        ["value_fen"] = "The assessed value in fen.",
        ["report_number"] = "The assessment report number.",
        ["assessment_fee_fen"] = "The assessment fee paid, in fen (basis of the fee subsidy).",
        ["terms_version"] = "The version of the data use agreement.",
        ["organization_id"] = "The organisation's id.",
        ["cap_fen"] = "A cap in fen.",
        ["revoked_at"] = "When it was revoked, if it was.",
        ["start"] = "First day (YYYY-MM-DD).",
        ["end"] = "Last day (YYYY-MM-DD).",
        ["downloads"] = "Download requests.",
        ["completed_downloads"] = "Downloads sent to the end.",
        ["bytes"] = "Bytes actually sent.",
        ["purpose"] = "Why the data is read: a code and a text.",
        ["policy"] = "The machine-readable usage policy (ODRL-shaped), enforced on ordering, granting and every download; null: the terms text alone.",
        ["permission"] = "What the consumer may do and under which constraints; null: no constraint beyond the terms.",
        ["plan_id"] = "The plan's id.",
        ["policy_id"] = "The policy's id.",
        ["notes"] = "Free-text notes.",
        ["industry"] = "The industry (行业), free text such as 灯饰照明.",
        ["tags"] = "Search tags.",
        ["access"] = "open: free download for every organisation; paid: needs an entitlement from a paid order.",
        ["update_frequency"] = "The declared update frequency (更新频率).",
        ["published_at"] = "When it was published.",
        ["status"] = "The lifecycle state.",
        ["level"] = "The level.",
        ["level3_fen"] = "One-time reward for DCMM level 3 (稳健级), fen.",
        ["level4_fen"] = "One-time reward for DCMM level 4 (量化管理级), fen.",
        ["level5_fen"] = "One-time reward for DCMM level 5 (优化级), fen.",
        ["active"] = "Whether it is in force now.",
        ["type"] = "The type.",
        ["kind"] = "one_time (a purchase) or subscription (a period).",
        ["period"] = "Subscription period: P1M, P3M or P1Y.",
        ["price_fen"] = "The price in fen (1 CNY = 100 fen).",
        ["currency"] = "Always CNY.",
        ["reason_code"] = "Why the line came out as it did (ok, below_min_*, no_valid_listing_certificate, not_qualified, no_revenue, dataset_cap, unit_cap).",
        ["unit_id"] = "The source unit's organisation id.",
        ["unit_name"] = "The source unit's name.",
        ["reward_fen"] = "The reward in fen, after caps.",
        ["terms_sha256"] = "SHA-256 of the accepted terms text.",
        ["client_id"] = "The API client that acted.",
        ["accepted_at"] = "When the terms were accepted.",
        ["seq"] = "The event's sequence number in its partition.",
        ["occurred_at"] = "When it happened.",
        ["actor"] = "Who acted: organisation and client.",
        ["subject_organization_id"] = "The organisation whose data or object it concerns.",
        ["object_type"] = "The kind of object (dataset, order, consent, revenue, …).",
        ["object_id"] = "The object's id.",
        ["action"] = "What happened (created, published, read, …).",
        ["basis"] = "What allowed a read of another's data: the consent, entitlement or role.",
        ["request_id"] = "The request's X-Request-Id.",
        ["prev_hash"] = "Hash of the previous event in the partition (hex).",
        ["hash"] = "SHA-256 of this event's canonical form and prev_hash (hex).",
        ["min"] = "The smallest value, in canonical text.",
        ["max"] = "The largest value, in canonical text.",
        ["revoke_reason"] = "Why it was revoked.",
        ["expires_at"] = "When an unanswered request lapses.",
        ["decided_at"] = "When it was approved or rejected.",
        ["decision_reason"] = "Why it was rejected.",
        ["from"] = "First day included (Asia/Shanghai).",
        ["to"] = "Last day included (Asia/Shanghai).",
        ["granularity"] = "day or month.",
        ["time_zone"] = "The zone of the days: Asia/Shanghai.",
        ["buckets"] = "One bucket per day or month.",
        ["accounting_category"] = "Accounting category under 财会〔2023〕11号: intangible_asset, inventory, development_expenditure or not_recognised.",
        ["acquisition"] = "How it was acquired: purchased, self_developed or other.",
        ["cost_fen"] = "Book cost in fen (kept apart from valuations).",
        ["recognition_date"] = "Recognition date (YYYY-MM-DD).",
        ["useful_life_months"] = "Useful life in months, for intangible assets.",
        ["valuations"] = "Valuations, kept apart from book value.",
        ["registrations"] = "Exchange registrations (首次 initial, 变更 change, 注销 cancellation).",
        ["resource_holding"] = "Resource holding right (数据资源持有权).",
        ["processing_use"] = "Processing and use right (数据加工使用权).",
        ["product_operation"] = "Product operation right (数据产品经营权).",
        ["description"] = "The description.",
        ["licence"] = "The licence or terms of use, as text.",
        ["security_level"] = "Security level: general (一般) or important (重要); core (核心) is refused.",
        ["personal_information"] = "none, anonymised, or separate_consent (with personal_information_consent_ref).",
        ["personal_information_consent_ref"] = "Reference of the separate consent for personal information.",
        ["withdrawn_at"] = "When it was withdrawn.",
        ["provenance"] = "Where the data comes from and who holds its rights.",
        ["latest_version"] = "The highest committed version number, if any.",
        ["number"] = "The version number.",
        ["file_count"] = "Files in the version.",
        ["total_bytes"] = "Total bytes of its files.",
        ["committed_at"] = "When it was committed.",
        ["project_name"] = "The pilot project's name.",
        ["approval_number"] = "The approval document number.",
        ["construction_cost_fen"] = "Construction cost in fen (basis of the pilot subsidy).",
        ["standard"] = "GB/T 36073-2018 or GB/T 36073-2025.",
        ["certifying_body"] = "The certifying body.",
        ["issued_on"] = "Issue date (YYYY-MM-DD).",
        ["order_id"] = "The order's id.",
        ["parquet_rendition"] = "The Parquet rendition of a csv, tsv or jsonl file.",
        ["paid_at"] = "When the payment was confirmed.",
        ["closed_at"] = "When it was cancelled or refunded.",
        ["entitlement_id"] = "The entitlement the payment opened.",
        ["detail"] = "What happened, for people.",
        ["instance"] = "The request path.",
        ["collection_period"] = "The period the data was collected in.",
        ["rights"] = "The three rights of 数据二十条: holder and basis of each.",
        ["file_name"] = "The file name as uploaded (RFC 6266).",
        ["size"] = "Size in bytes.",
        ["sha256"] = "SHA-256 of the content (lower-case hex).",
        ["content_type"] = "The media type stored at upload and sent on download.",
        ["reason"] = "Why, in words.",
        ["month"] = "The month (its first day, Asia/Shanghai).",
        ["payments_fen"] = "Payments in fen.",
        ["refunds_fen"] = "Refunds in fen (negative or zero).",
        ["net_fen"] = "Payments plus refunds, in fen.",
        ["criterion"] = "The qualification criterion.",
        ["threshold"] = "The policy's threshold for it.",
        ["passed"] = "Whether the evidence meets the threshold.",
        ["dataset_cap_fen"] = "Most a dataset earns, in fen (default 10,000,000 = 100,000 CNY).",
        ["unit_cap_fen"] = "Most a unit earns, in fen (default 20,000,000 = 200,000 CNY).",
        ["cap_scope"] = "per_period: caps per run period; lifetime: over all approved runs.",
        ["min_files"] = "规模质量: minimum committed files.",
        ["min_bytes"] = "规模质量: minimum bytes of the latest version.",
        ["min_versions_in_period"] = "更新频率: minimum versions committed in the period.",
        ["min_paying_consumers"] = "应用成效: minimum distinct paying consumers in the period.",
        ["min_rows"] = "规模质量: minimum rows of the latest version's profiled files.",
        ["min_completeness_basis_points"] = "规模质量: minimum completeness in basis points.",
        ["require_listing_certificate"] = "Qualification: the dataset must hold a listing certificate in force in the period, not revoked (default false).",
        ["listing_certificate"] = "The listing certificate (数据产品登记凭证) the line qualified with, when its policy requires one; null otherwise.",
        ["period_from"] = "First day of the period (Asia/Shanghai).",
        ["period_to"] = "Last day of the period, inclusive.",
        ["content_sha256"] = "SHA-256 of the frozen content, once approved or verified.",
        ["approved_at"] = "When it was approved.",
        ["supersedes"] = "The approved run it replaced.",
        ["supersede_reason"] = "Why it replaced that run.",
        ["units_in_programme"] = "Units whose consent put them in the run.",
        ["total_fen"] = "Total in fen.",
        ["lines"] = "One line per dataset.",
        ["units"] = "One total per unit.",
        ["dataset_title"] = "The dataset's title.",
        ["revenue_fen"] = "Net revenue of the dataset in the period, fen.",
        ["criteria"] = "Each criterion with its evidence, threshold and outcome.",
        ["qualified"] = "Whether every criterion passed.",
        ["reward_before_caps_fen"] = "Rate × revenue, rounded down, before caps.",
        ["after_dataset_cap_fen"] = "After the dataset cap.",
        ["unit_cap_remaining_fen"] = "What the unit cap still allowed.",
        ["requested_fen"] = "The unit's lines before its cap.",
        ["unit_cap_applied"] = "Whether the unit cap scaled its lines.",
        ["consumers"] = "Distinct consumer organisations.",
        ["methods"] = "Valuation methods: income, cost, market.",
        ["report"] = "The valuation report file, when uploaded.",
        ["profile"] = "The file's profile, once computed.",
    };

    private static readonly Dictionary<string, string> ParameterDescriptions = new(StringComparer.Ordinal)
    {
        ["cursor"] = "The next_cursor of the previous page; omit for the first page. Opaque: pass it back unchanged.",
        ["limit"] = "Items per page, 1–100 (default 50). A larger value is refused, never silently capped.",
        ["id"] = "The object's id, as the API returned it.",
        ["n"] = "A version number (1, 2, …) or 'latest' for the latest committed version.",
        ["path"] = "The file's path inside the version: relative, '/'-separated, NFC, at most 255 bytes of UTF-8. Percent-encode each segment; the '/' between segments stays a '/'.",
        ["format"] = "The representation to send (see the operation for the values it takes).",
        ["from"] = "First day included, YYYY-MM-DD (Asia/Shanghai).",
        ["to"] = "Last day included, YYYY-MM-DD (Asia/Shanghai).",
        ["granularity"] = "day or month buckets (Asia/Shanghai).",
        ["status"] = "Only items in this state.",
        ["year"] = "Only runs whose period overlaps this calendar year, e.g. 2025.",
        ["active"] = "true: only plans still offered; false: only deactivated ones; omitted: all.",
        ["dataset_id"] = "Only items of this dataset.",
        ["orderId"] = "The order's id.",
        ["requestId"] = "The access request's id.",
        ["grantId"] = "The grant's id.",
        ["entitlementId"] = "The entitlement's id.",
        ["deliveryId"] = "The delivery's id, from the endpoint's delivery log.",
        ["planId"] = "The plan's id.",
        ["clientId"] = "The API client's client_id.",
        ["unit"] = "The source unit's organisation id.",
        ["q"] = "Words to find in titles, descriptions and tags.",
        ["industry"] = "Only datasets of this industry (exact).",
        ["owner"] = "Only datasets of this organisation id.",
        ["access"] = "open or paid.",
        ["role"] = "Only organisations with this role.",
        ["number"] = "The checkpoint's number, or the listing certificate's registration number (DSL-2026-000001).",
        ["revision"] = "A revision number of the record (1, 2, …).",
        ["valuation"] = "The valuation's id.",
        ["updated_since"] = "Only datasets changed at or after this RFC 3339 instant.",
        ["as"] = "consumer: what your organisation downloaded; owner: downloads of your datasets.",
        ["direction"] = "granted: consents your organisation gave; received: consents it holds.",
        ["kind"] = "The kind of assessment: compliance, quality or valuation.",
        ["objection"] = "The objection's id.",
        ["policy_id"] = "The policy whose amounts apply (default: the current one).",
        ["object_type"] = "Only events about this kind of object (dataset, order, revenue, …).",
        ["action"] = "Only events with this action.",
        [Http.Idempotency.Header] = "A unique key (e.g. a UUID) for this write; a retry with the same key returns the first result (Idempotent-Replayed: true).",
    };

    /// <summary>Examples of request bodies, by the body's CLR type name.</summary>
    private static readonly Dictionary<string, string> Examples = new(StringComparer.Ordinal)
    {
        ["CreateOrganizationRequest"] = """{"name": "中山市古镇灯饰数据科技有限公司", "unified_social_credit_code": "91442000MA4UJ9XK3Q", "roles": ["source_unit"]}""",
        ["CreateClientRequest"] = """{"name": "数据上传脚本", "scopes": ["catalog", "publish"]}""",
        ["CreateUserRequest"] = """{"email": "admin@guzhen-lighting.example.cn", "display_name": "陈敏", "console_role": "admin"}""",
        ["InviteUserRequest"] = """{"email": "data.officer@guzhen-lighting.example.cn", "display_name": "李华", "console_role": "editor"}""",
        ["SignInRequest"] = """{"email": "data.officer@guzhen-lighting.example.cn", "password": "your password", "totp_code": "492039"}""",
        ["ChangePasswordRequest"] = """{"current_password": "your password", "new_password": "灯笼-river-harbour-1987"}""",
        ["ConfirmTotpRequest"] = """{"enrolment_token": "CfDJ8…(from POST /console/totp/enrolment)", "code": "492039"}""",
        ["DisableTotpRequest"] = """{"code": "492039"}""",
        ["CreateWebhookEndpointRequest"] = """{"url": "https://hooks.example.com/dataspace", "events": ["version.published", "order.paid"], "description": "订阅数据集新版本"}""",
        ["DatasetFields"] = """
            {"title": "古镇灯饰出口统计", "description": "2020–2025 年按月、按国家的灯饰出口明细。", "industry": "灯饰照明", "tags": ["灯饰", "出口"],
             "access": "paid", "licence": "仅限购买方内部使用", "update_frequency": "monthly", "security_level": "general", "personal_information": "none",
             "provenance": {"source_type": "self_operated", "source_systems": ["ERP 出口报关模块"], "collection_period": {"start": "2020-01-01", "end": "2025-12-31"},
               "collection_method": "系统导出，人工复核", "legal_basis": "企业自有经营数据",
               "rights": {"resource_holding": {"holder": "中山市古镇灯饰数据科技有限公司", "basis": "自行采集"}}, "lineage": []}}
            """,
        ["CreateVersionRequest"] = """{"notes": "2025 年 12 月数据"}""",
        ["SetPreviewPolicyRequest"] = """{"statistics": true, "hashes": false}""",
        ["SetTermsRequest"] = """
            {"text": "仅限购买方内部模型训练，不得转售。",
             "policy": {"permission": {"assignee_roles": ["model_builder"], "purposes": ["model_training"], "valid_until": "2027-06-30T23:59:59+08:00",
                                       "max_complete_downloads": 5}, "duties": ["attribution"], "prohibitions": ["resale", "reidentification", "onward_transfer"]}}
            """,
        ["AcceptTermsRequest"] = """{"terms_version": 1, "purpose": "model_training"}""",
        ["SetAccessPolicyRequest"] = """
            {"policy": "approval", "review_sla_hours": 72, "request_fields": [{"name": "project", "label": "项目名称", "required": true}],
             "auto_approve_organizations": [], "auto_approve_roles": ["data_bureau"],
             "auto_approve_certificates": [{"kind": "dcmm_certificate", "min_level": 3}, {"kind": "listing_certificate"}]}
            """,
        ["CreateAccessRequest"] = """
            {"purpose": "model_training", "use_case": "训练灯具质检模型", "answers": {"project": "灯饰质检"}, "contact": "张工 0760-88000000", "disclose_identity": true}
            """,
        ["ApproveAccessRequest"] = """{"valid_until": "2026-12-31T23:59:59+08:00", "versions": [1, 2]}""",
        ["ReasonRequest"] = """{"reason": "用途与数据不符"}""",
        ["CreateGrantRequest"] = """{"organization_id": "0195f0c2-0000-7000-8000-000000000004", "purpose": "public_service", "valid_until": "2026-06-30T23:59:59+08:00"}""",
        ["CreatePlanRequest"] = """{"kind": "subscription", "period": "P1Y", "price_fen": 1999900}""",
        ["CreateOrderRequest"] = """{"plan_id": "0195f0c2-7d1e-7a3b-9c4d-5e6f7a8b9c0d"}""",
        ["ConfirmPaymentRequest"] = """{"amount_fen": 1999900, "reference": "WX20260115000123"}""",
        ["PaymentNotification"] = """{"order_id": "0195f0c2-7d1e-7a3b-9c4d-5e6f7a8b9c0d", "amount_fen": 1999900, "reference": "WX20260115000123"}""",
        ["GrantConsentRequest"] = """
            {"grantee": "0195f0c2-0000-7000-8000-000000000001", "categories": ["revenue", "usage_statistics"], "all_datasets": true,
             "purpose": {"code": "corpus_reward", "text": "语料奖励核算"}, "legal_basis": "《中山市语料奖励办法》第十一条",
             "valid_from": "2026-01-01T00:00:00+08:00", "valid_until": "2026-12-31T23:59:59+08:00"}
            """,
        ["CreateConsentRequestRequest"] = """
            {"unit": "0195f0c2-0000-7000-8000-000000000002", "categories": ["usage_statistics"], "all_datasets": true,
             "purpose": {"code": "supervision", "text": "行业监管抽查"}, "legal_basis": "行业监管",
             "valid_from": "2026-01-01T00:00:00+08:00", "valid_until": "2026-06-30T23:59:59+08:00"}
            """,
        ["ApproveConsentRequestRequest"] = """{"valid_until": "2026-03-31T23:59:59+08:00"}""",
        ["RejectConsentRequestRequest"] = """{"reason": "范围过宽"}""",
        ["RevokeConsentRequest"] = """{"reason": "合作结束"}""",
        ["CreateRewardPolicyRequest"] = """
            {"name": "2025 年度语料奖励", "rate_basis_points": 1000, "dataset_cap_fen": 10000000, "unit_cap_fen": 20000000, "cap_scope": "per_period",
             "min_files": 1, "min_bytes": 1048576, "min_versions_in_period": 4, "min_paying_consumers": 2}
            """,
        ["CreateRewardRunRequest"] = """{"policy_id": "0195f0c2-7d1e-7a3b-9c4d-5e6f7a8b9c0e", "period_from": "2025-01-01", "period_to": "2025-12-31"}""",
        ["ApproveRewardRunRequest"] = """{"supersede_reason": "更正退款口径"}""",
        ["AddValuationRequest"] = """
            {"assessor_firm": "广东某资产评估有限公司", "appraisers": ["张三", "李四"], "methods": ["income"], "base_date": "2025-12-31",
             "value_fen": 500000000, "report_number": "粤评报字〔2026〕第 001 号", "assessment_fee_fen": 3000000}
            """,
        ["AddRegistrationRequest"] = """{"exchange": "广州数据交易所", "certificate_number": "GZDE-2026-000123", "type": "initial", "registered_on": "2026-01-20"}""",
        ["ReturnRecordRequest"] = """{"reason": "估值报告缺少评估师签章"}""",
        ["RegisterAssessorRequest"] = """{"organization_id": "0195f0c2-0000-7000-8000-000000000006", "kinds": ["compliance", "quality"]}""",
        ["CreateAssessmentInvitationRequest"] = """{"version": 1, "assessor_id": "0195f0c2-0000-7000-8000-000000000006", "kind": "compliance", "allow_files": false}""",
        ["SubmitAssessmentReportRequest"] = """
            {"manifest_sha256": "9f2c0d1e4b7a8c3f5e6d7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d", "grade": "A", "conclusion": "来源合法，处理合规，可流通交易。",
             "report_number": "粤数评〔2026〕第 018 号", "document_sha256": "3b1f5e7a9c2d4f6e8a0b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f", "valid_until": "2026-12-31"}
            """,
        ["ListingApplicationRequest"] = """
            {"version": 1, "product_description": "古镇灯饰出口月度明细数据产品说明书", "scenarios": ["出口趋势预测模型训练"],
             "compliance_report_id": "0195f0c2-7d1e-7a3b-9c4d-5e6f7a8b9c01", "quality_report_id": "0195f0c2-7d1e-7a3b-9c4d-5e6f7a8b9c02"}
            """,
        ["OpenListingNoticeRequest"] = """{"days": 7}""",
        ["FileObjectionRequest"] = """{"reasons": "该数据含我方客户名单，来源存疑。"}""",
        ["ResolveObjectionRequest"] = """{"outcome": "dismissed", "resolution": "核查授权链：客户名单已脱敏，来源合法。"}""",
        ["ListingReasonRequest"] = """{"reason": "数据来源授权被撤销"}""",
        ["DcmmRewardPolicyRequest"] = """{"level3_fen": 10000000, "level4_fen": 20000000, "level5_fen": 30000000}""",
        ["AssetFeeSubsidyPolicyRequest"] = """{"rate_basis_points": 5000, "cap_fen": 5000000}""",
        ["DataAssetFields"] = """
            {"name": "灯饰出口数据资源", "dataset_ids": [], "accounting_category": "intangible_asset", "acquisition": "self_developed",
             "cost_fen": 120000000, "recognition_date": "2025-12-31", "useful_life_months": 60, "notes": "按财会〔2023〕11号确认为无形资产"}
            """,
        ["DcmmCertificateFields"] = """
            {"standard": "GB/T 36073-2018", "level": 3, "certificate_number": "DCMM-2026-0088", "certifying_body": "中国电子信息行业联合会",
             "issued_on": "2026-03-01", "valid_until": "2029-02-28"}
            """,
        ["DataSpacePilotFields"] = """{"level": "city", "project_name": "中山灯饰产业可信数据空间", "approval_number": "中工信〔2026〕12号", "construction_cost_fen": 800000000}""",
        ["TokenRequestForm"] = """{"grant_type": "client_credentials", "scope": "catalog publish"}""",
        ["TokenForm"] = """{"token": "ACCESS_TOKEN", "token_type_hint": "access_token"}""",
        // PATCH /v1/datasets/{id}: a JSON merge patch of the dataset's fields.
        ["JsonObject"] = """{"description": "2020–2026 年按月、按国家的灯饰出口明细。", "provenance": {"legal_basis": "企业自有经营数据；合同 HT-2026-3"}}""",
    };

    private static string[] Constants(Type holder) =>
        [.. holder.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public static OpenApiOptions AddContractDocs(this OpenApiOptions options)
    {
        // Every stream is described as bytes where it is sent (below), so the Stream object schema is left unused.
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components?.Schemas?.Remove("Stream");

            // Members whose type is another schema ($ref, or oneOf with null) are made into references after the schema
            // transformers ran: give them their meaning here, as OpenAPI 3.1 allows beside a $ref.
            foreach (var properties in (document.Components?.Schemas?.Values ?? []).Select(s => s.Properties).OfType<IDictionary<string, IOpenApiSchema>>())
            {
                // A reference's Description reads through to the schema it points at: test the reference's own.
                foreach (var (member, property) in properties.ToList())
                {
                    if (MemberDescriptions.TryGetValue(member, out var meaning))
                    {
                        switch (property)
                        {
                            case OpenApiSchema inline when string.IsNullOrEmpty(inline.Description):
                                inline.Description = meaning;
                                break;
                            case OpenApiSchemaReference reference when string.IsNullOrEmpty(reference.Reference.Description):
                                reference.Description = meaning;
                                break;
                        }
                    }
                }
            }

            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var name = context.JsonTypeInfo.Type.Name;
            if (context.JsonTypeInfo.Type == typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))
            {
                DescribeProblem(schema);
            }

            if (schema.Properties is { } properties)
            {
                foreach (var (member, property) in properties)
                {
                    if (property is OpenApiSchema described && string.IsNullOrEmpty(described.Description) && MemberDescriptions.TryGetValue(member, out var meaning))
                    {
                        described.Description = meaning;
                    }
                    else if (property is OpenApiSchemaReference reference && string.IsNullOrEmpty(reference.Reference.Description) && MemberDescriptions.TryGetValue(member, out var referred))
                    {
                        // OpenAPI 3.1 lets a $ref carry its own description: what the member means here, beside what its type is.
                        reference.Description = referred;
                    }

                    if ((BySchema.GetValueOrDefault((name, member)) ?? ByMember.GetValueOrDefault(member)) is { } values && property is OpenApiSchema target)
                    {
                        Restrict(target, values);
                    }
                }
            }

            if (Required.TryGetValue(name, out var required))
            {
                schema.Required ??= new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in required.Where(m => schema.Properties?.ContainsKey(m) == true))
                {
                    schema.Required.Add(member);
                }
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer(async (operation, context, ct) =>
        {
            var description = context.Description;
            operation.Parameters ??= [];
            // A catch-all segment ({*path}) appears in the path template but not among the parameters: declare it.
            if (description.RelativePath is { } route && (route.Contains("{path}", StringComparison.Ordinal) || route.Contains("{*path}", StringComparison.Ordinal))
                && !operation.Parameters.Any(p => p.Name == "path"))
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "path", In = ParameterLocation.Path, Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 },
                });
            }

            foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>().Where(p => string.IsNullOrEmpty(p.Description)))
            {
                parameter.Description = ParameterDescriptions.GetValueOrDefault(parameter.Name ?? "") ?? $"The {parameter.Name}.";
            }

            if (description.ActionDescriptor.EndpointMetadata.OfType<FileResponse>().FirstOrDefault() is { } file && operation.Responses is { } responses)
            {
                var media = file.MediaTypes.ToDictionary(m => m, _ => new OpenApiMediaType { Schema = Binary() });
                if (file.Json is not null)
                {
                    media["application/json"] = new OpenApiMediaType { Schema = await context.GetOrCreateSchemaAsync(file.Json, null, ct) };
                }

                var head = description.HttpMethod == "HEAD";
                responses["200"] = new OpenApiResponse { Description = file.Description, Content = head ? null : media };
                if (file.Partial)
                {
                    responses["206"] = new OpenApiResponse
                    {
                        Description = "One byte range (Range: bytes=a-b), with Content-Range.",
                        Content = head ? null : file.MediaTypes.ToDictionary(m => m, _ => new OpenApiMediaType { Schema = Binary() }),
                    };
                }
            }

            // Streams are bytes, not an object named Stream.
            foreach (var sent in (operation.Responses ?? []).Values.OfType<OpenApiResponse>().Select(r => r.Content).OfType<IDictionary<string, OpenApiMediaType>>())
            {
                foreach (var media in sent.Values.Where(m => m.Schema is OpenApiSchemaReference { Reference.Id: "Stream" }))
                {
                    media.Schema = Binary();
                }
            }

            // A body read by hand is documented by its DocumentedBody type; the handler's parameter may be a bare JsonObject.
            var body = description.ActionDescriptor.EndpointMetadata.OfType<DocumentedBody>().FirstOrDefault()?.Type
                ?? description.ParameterDescriptions.FirstOrDefault(p => p.Source == BindingSource.Body)?.Type;
            if (body is not null && Examples.TryGetValue(body.Name, out var example) && operation.RequestBody?.Content is { } content)
            {
                foreach (var media in content.Values)
                {
                    media.Example = JsonNode.Parse(example);
                }
            }
        });
        return options;
    }

    /// <summary>
    /// The members every problem of this API carries besides RFC 9457's: the stable code (every value the server sends
    /// is a ProblemCodes constant, so the list is complete), the request id, and for validation the fields at fault.
    /// </summary>
    private static void DescribeProblem(OpenApiSchema schema)
    {
        schema.Description = "An RFC 9457 problem. Switch on `code`, never on `title` or `detail`, which are for people.";
        schema.AdditionalPropertiesAllowed = true;
        schema.AdditionalProperties = null;
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        schema.Properties["code"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The stable, machine-readable reason; the enum is every code the server sends (ProblemCodes). New codes may be added: treat an unknown one by its HTTP status.",
            Enum = [.. Constants(typeof(ProblemCodes)).Select(c => (JsonNode)JsonValue.Create(c))],
        };
        schema.Properties["request_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Equals the X-Request-Id header and the server's log lines: quote it when reporting a problem." };
        schema.Properties["errors"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "validation_failed and unknown_member: the offending fields by JSON name (a.b for nested members), each with what is wrong.",
            AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
        };
        schema.Required ??= new HashSet<string>(StringComparer.Ordinal);
        schema.Required.Add("code");
    }

    private static OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };

    private static void Restrict(OpenApiSchema schema, IReadOnlyList<string> values)
    {
        var target = schema.Type?.HasFlag(JsonSchemaType.Array) == true && schema.Items is OpenApiSchema items ? items : schema;
        target.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
        if (target.Type?.HasFlag(JsonSchemaType.Null) == true)
        {
            target.Enum.Add(null!);
        }
    }
}
