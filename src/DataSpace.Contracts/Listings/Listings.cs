using System.Text.Json.Nodes;
using DataSpace.Contracts.Common;

namespace DataSpace.Contracts.Listings;

/// <summary>Registers an organisation as a third-party assessor (第三方服务机构); it gains the assessor role.</summary>
public sealed record RegisterAssessorRequest
{
    /// <summary>The organisation (already registered with its credit code).</summary>
    public string? OrganizationId { get; init; }

    /// <summary>The kinds of assessment it may sign: compliance, quality, valuation.</summary>
    public IReadOnlyList<string>? Kinds { get; init; }
}

/// <summary>A registered third-party assessor.</summary>
public sealed record Assessor
{
    /// <summary>The assessor's organisation.</summary>
    public required OrganizationRef Organization { get; init; }

    /// <summary>统一社会信用代码 of the assessor.</summary>
    public required string UnifiedSocialCreditCode { get; init; }

    /// <summary>compliance, quality and/or valuation.</summary>
    public required IReadOnlyList<string> Kinds { get; init; }

/// <summary>When the bureau registered the assessor.</summary>
    public required DateTimeOffset RegisteredAt { get; init; }
}

/// <summary>The owner invites a registered assessor to assess one committed version of its dataset.</summary>
public sealed record CreateAssessmentInvitationRequest
{
    /// <summary>A committed version number of the dataset.</summary>
    public int? Version { get; init; }

    /// <summary>The assessor's organisation id.</summary>
    public string? AssessorId { get; init; }

    /// <summary>compliance, quality or valuation: one the assessor is registered for.</summary>
    public string? Kind { get; init; }

    /// <summary>Whether the assessor may also download the version's files (default false: manifest and profiles only).</summary>
    public bool? AllowFiles { get; init; }
}

/// <summary>An invitation of an assessor for one dataset version.</summary>
public sealed record AssessmentInvitation
{
    public required string Id { get; init; }
    public required string DatasetId { get; init; }
    public required string DatasetTitle { get; init; }
/// <summary>The committed version to assess.</summary>
    public required int Version { get; init; }

    /// <summary>The manifest hash of the version: a report counts only when bound to it.</summary>
    public required string ManifestSha256 { get; init; }

    public required OrganizationRef Owner { get; init; }
/// <summary>The invited assessor.</summary>
    public required OrganizationRef Assessor { get; init; }
    /// <summary>compliance, quality or valuation: the kind of assessment asked for.</summary>
    public required string Kind { get; init; }
/// <summary>Whether the assessor may download the version's files (otherwise manifest and profiles only).</summary>
    public required bool AllowFiles { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>An assessor's report on the version it was invited for.</summary>
public sealed record SubmitAssessmentReportRequest
{
    /// <summary>The manifest hash the assessor assessed; must be the invited version's (else 409 manifest_mismatch).</summary>
    public string? ManifestSha256 { get; init; }

    /// <summary>The grade (e.g. A, 合格).</summary>
    public string? Grade { get; init; }

    /// <summary>The conclusion, as the report states it.</summary>
    public string? Conclusion { get; init; }

    /// <summary>The assessor's report number.</summary>
    public string? ReportNumber { get; init; }

    /// <summary>Lower-case hex SHA-256 of the report document the assessor issued.</summary>
    public string? DocumentSha256 { get; init; }

    /// <summary>Last day (Asia/Shanghai) the report may support a listing.</summary>
    public DateOnly? ValidUntil { get; init; }
}

public sealed record AssessmentReport
{
    public required string Id { get; init; }
/// <summary>The invitation the report answers.</summary>
    public required string InvitationId { get; init; }
    public required string DatasetId { get; init; }
/// <summary>The assessed version.</summary>
    public required int Version { get; init; }
    /// <summary>compliance, quality or valuation: the kind of assessment reported.</summary>
    public required string Kind { get; init; }
/// <summary>The assessor that issued the report.</summary>
    public required OrganizationRef Assessor { get; init; }
/// <summary>The manifest hash the report is bound to (the assessed version's).</summary>
    public required string ManifestSha256 { get; init; }
/// <summary>The grade, as the report gives it (e.g. A, 合格).</summary>
    public required string Grade { get; init; }
/// <summary>The conclusion, as the report states it.</summary>
    public required string Conclusion { get; init; }
    public required string ReportNumber { get; init; }
/// <summary>Lower-case hex SHA-256 of the report document.</summary>
    public required string DocumentSha256 { get; init; }
    public required DateOnly ValidUntil { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A listing application (挂牌申请) for one committed version of a dataset.</summary>
public sealed record ListingApplicationRequest
{
    /// <summary>The committed version to list.</summary>
    public int? Version { get; init; }

    /// <summary>The product description (数据产品说明书).</summary>
    public string? ProductDescription { get; init; }

    /// <summary>Application scenarios (无场景不登记): at least one.</summary>
    public IReadOnlyList<string>? Scenarios { get; init; }

    /// <summary>The compliance assessment report (subject / object / circulation) for this version's manifest.</summary>
    public string? ComplianceReportId { get; init; }

    /// <summary>The quality assessment report for this version's manifest.</summary>
    public string? QualityReportId { get; init; }

    /// <summary>Optionally a valuation report for this version's manifest.</summary>
    public string? ValuationReportId { get; init; }
}

/// <summary>The quality facts of the version, prefilled from its file profiles.</summary>
public sealed record ListingQuality
{
    public required int FileCount { get; init; }
    public required long TotalBytes { get; init; }

    /// <summary>Rows over the profiled tables.</summary>
    public required long RowCount { get; init; }

    /// <summary>Non-null cells over all cells of the profiled tables, in basis points (10000 = complete); null when no table was profiled.</summary>
    public int? CompletenessBasisPoints { get; init; }

    /// <summary>Column names and inferred types per profiled file.</summary>
    public required IReadOnlyList<ListingQualityFile> Files { get; init; }

    /// <summary>The dataset's declared update frequency.</summary>
    public required string UpdateFrequency { get; init; }
}

/// <summary>One profiled file of the listed version.</summary>
/// <param name="Path">The file's path in the version.</param>
/// <param name="Format">The detected format (csv, jsonl, parquet …), when known.</param>
/// <param name="RowCount">Rows profiled, when the file is a table.</param>
/// <param name="Columns">Each column as "name: inferred type".</param>
public sealed record ListingQualityFile(string Path, string? Format, long? RowCount, IReadOnlyList<string> Columns);

/// <summary>A step of the source-legality chain (来源合法性), from the dataset's provenance.</summary>
/// <param name="Aspect">
/// source_type, collection, legal_basis, the three rights of 数据二十条 (resource_holding 资源持有权, processing_use 加工使用权,
/// product_operation 产品经营权), or lineage (one step per parent dataset).
/// </param>
/// <param name="Holder">What the provenance names for the aspect: the source type, the collection method, the right's holder, or the parent.</param>
/// <param name="Basis">What supports it: source systems, collection period, legal basis or the right's basis.</param>
public sealed record SourceLegalityStep(string Aspect, string? Holder, string? Basis);

public sealed record ListingObjection
{
    public required string Id { get; init; }
/// <summary>The organisation that filed the objection.</summary>
    public required OrganizationRef FiledBy { get; init; }
/// <summary>Why the objector says the product should not be listed.</summary>
    public required string Reasons { get; init; }

    /// <summary>open, dismissed or upheld.</summary>
    public required string Status { get; init; }

/// <summary>The reviewer's resolution, once decided.</summary>
    public string? Resolution { get; init; }
/// <summary>When the objection was filed.</summary>
    public required DateTimeOffset FiledAt { get; init; }
/// <summary>When the objection was resolved.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }
}

public sealed record Listing
{
    public required string Id { get; init; }
    public required string DatasetId { get; init; }
    public required string DatasetTitle { get; init; }
    public required OrganizationRef Owner { get; init; }
/// <summary>The listed version.</summary>
    public required int Version { get; init; }
/// <summary>The manifest hash of the listed version.</summary>
    public required string ManifestSha256 { get; init; }

    /// <summary>draft, submitted, returned, verified or revoked.</summary>
    public required string Status { get; init; }

/// <summary>The product description (数据产品说明书).</summary>
    public required string ProductDescription { get; init; }
/// <summary>Application scenarios (应用场景).</summary>
    public required IReadOnlyList<string> Scenarios { get; init; }
/// <summary>The assessment reports the application relies on.</summary>
    public required IReadOnlyList<AssessmentReport> Reports { get; init; }
/// <summary>The quality facts of the listed version, computed by the platform from its files.</summary>
    public required ListingQuality Quality { get; init; }
/// <summary>The source-legality chain (来源合法性) from the dataset's provenance.</summary>
    public required IReadOnlyList<SourceLegalityStep> SourceLegality { get; init; }

    /// <summary>End of the public notice (公示) once the reviewer opened one; objections are taken until then.</summary>
    public DateTimeOffset? NoticeUntil { get; init; }

/// <summary>Objections filed during the public notice.</summary>
    public required IReadOnlyList<ListingObjection> Objections { get; init; }
/// <summary>The reviewer's reason for returning the application.</summary>
    public string? ReturnReason { get; init; }
/// <summary>The reviewer's reason for revoking the listing.</summary>
    public string? RevokedReason { get; init; }

    /// <summary>The registration number of the certificate issued on verification.</summary>
    public string? CertificateNumber { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
}

/// <summary>Opens a public notice (公示) of a submitted listing.</summary>
public sealed record OpenListingNoticeRequest
{
    /// <summary>Length of the notice in days (1–30).</summary>
    public int? Days { get; init; }
}

public sealed record FileObjectionRequest
{
    /// <summary>Why the product should not be listed.</summary>
    public string? Reasons { get; init; }
}

public sealed record ResolveObjectionRequest
{
    /// <summary>dismissed (the listing may go on) or upheld (the listing is then returned to its unit).</summary>
    public string? Outcome { get; init; }

/// <summary>What the reviewer decided and why, shown to the owner and the objector.</summary>
    public string? Resolution { get; init; }
}

/// <summary>A reason, for returning or revoking a listing.</summary>
public sealed record ListingReasonRequest
{
    public string? Reason { get; init; }
}

/// <summary>A signature over the certificate's canonical bytes (RFC 8785 JCS of <c>certificate</c>).</summary>
/// <param name="Algorithm">SM2-SM3 (DER r,s; distinguishing ID 1234567812345678) or Ed25519 (RFC 8032, 64 bytes).</param>
/// <param name="KeyId">Hex SHA-256 of the signing key's DER SubjectPublicKeyInfo (see GET /v1/certificates/keys).</param>
/// <param name="Value">The signature, base64.</param>
public sealed record CertificateSignature(string Algorithm, string KeyId, string Value);

/// <summary>A public key that signs certificates.</summary>
/// <param name="Algorithm">SM2-SM3 or Ed25519.</param>
/// <param name="KeyId">Hex SHA-256 of the DER SubjectPublicKeyInfo.</param>
/// <param name="PublicKeyPem">SubjectPublicKeyInfo PEM, for <c>openssl pkeyutl -verify -pubin -inkey</c>.</param>
/// <param name="DistinguishingId">SM2 only: the signer ID (pass as <c>-pkeyopt distid:…</c>).</param>
public sealed record CertificateKey(string Algorithm, string KeyId, string PublicKeyPem, string? DistinguishingId);

/// <summary>A listing certificate (数据产品登记凭证), its signatures and its status now.</summary>
public sealed record ListingCertificate
{
    public required string Number { get; init; }

    /// <summary>The certificate as signed (schema: GET /v1/certificates/schema); its RFC 8785 canonical form is the signed bytes.</summary>
    public required JsonObject Certificate { get; init; }

/// <summary>Signatures over the certificate's canonical bytes, one per algorithm.</summary>
    public required IReadOnlyList<CertificateSignature> Signatures { get; init; }

    /// <summary>valid, expired or revoked.</summary>
    public required string Status { get; init; }

/// <summary>Why the certificate was revoked, if it was.</summary>
    public string? RevokedReason { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}
