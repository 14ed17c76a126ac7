using System.Text.Json.Serialization;

namespace DataSpace.Contracts.Records;

/// <summary>
/// What every record a unit keeps for the bureau carries: its workflow state. Drafts are private to the unit; submitting
/// shares a revision with the data bureau, which verifies it (frozen from then on, with a content hash) or returns it
/// with a reason. Changing a verified record starts a new revision.
/// </summary>
public abstract record RecordState
{
    [JsonPropertyOrder(-1)]
    public required string Id { get; init; }

    /// <summary>1 for the first revision; a verified record's changes go into revision + 1.</summary>
    [JsonPropertyOrder(-1)]
    public required int Revision { get; init; }

    [JsonPropertyOrder(-1)]
    public required string OwnerId { get; init; }

    /// <summary>draft, submitted, returned, verified or superseded (a verified revision replaced by a newer verified one).</summary>
    [JsonPropertyOrder(-1)]
    public required string Status { get; init; }

    /// <summary>The bureau's reason when the revision was returned.</summary>
    [JsonPropertyOrder(-1)]
    public string? ReturnReason { get; init; }

    [JsonPropertyOrder(-1)]
    public required DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyOrder(-1)]
    public required DateTimeOffset UpdatedAt { get; init; }
    [JsonPropertyOrder(-1)]
    public DateTimeOffset? SubmittedAt { get; init; }

    /// <summary>When the bureau verified or returned the revision.</summary>
    [JsonPropertyOrder(-1)]
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>SHA-256 (hex) of the verified revision's canonical fields, evidence hashes included.</summary>
    [JsonPropertyOrder(-1)]
    public string? ContentSha256 { get; init; }
}

/// <summary>A file attached to a record (valuation report, certificate scan, approval document). Content is kept by SHA-256.</summary>
public sealed record RecordFile(string Id, string FileName, long Size, string Sha256, string ContentType);

// ---- Data assets (数据资产入表) -----------------------------------------------------------------------------------

/// <summary>The fields of a data asset a unit enters or changes (JSON Merge Patch on a draft or returned revision).</summary>
public sealed record DataAssetFields
{
    public string? Name { get; init; }

    /// <summary>The unit's own datasets this asset books.</summary>
    public IReadOnlyList<string>? DatasetIds { get; init; }

    /// <summary>Per 财会〔2023〕11号: intangible_asset, inventory, development_expenditure or not_recognised.</summary>
    public string? AccountingCategory { get; init; }

    /// <summary>purchased, self_developed or other.</summary>
    public string? Acquisition { get; init; }

    /// <summary>Book cost in fen.</summary>
    public long? CostFen { get; init; }

    public DateOnly? RecognitionDate { get; init; }

    /// <summary>Useful life in months: required for an intangible asset, absent otherwise.</summary>
    public int? UsefulLifeMonths { get; init; }

    public string? Notes { get; init; }
}

/// <summary>An appraisal of a data asset, kept apart from its book value.</summary>
public sealed record AddValuationRequest
{
    /// <summary>The valuing firm, as free text; optional when <c>assessor_id</c> names a registered assessor.</summary>
    public string? AssessorFirm { get; init; }

    /// <summary>A registered assessor (GET /v1/assessors) allowed to sign valuations; its registered name becomes assessor_firm.</summary>
    public string? AssessorId { get; init; }

    public IReadOnlyList<string>? Appraisers { get; init; }

    /// <summary>One or more of income, cost, market.</summary>
    public IReadOnlyList<string>? Methods { get; init; }

    public DateOnly? BaseDate { get; init; }
    public long? ValueFen { get; init; }
    public string? ReportNumber { get; init; }
    public long? AssessmentFeeFen { get; init; }
}

public sealed record Valuation
{
    public required string Id { get; init; }
    public required string AssessorFirm { get; init; }

    /// <summary>The registered assessor that signed the valuation, when one was named.</summary>
    public string? AssessorId { get; init; }
    public required IReadOnlyList<string> Appraisers { get; init; }
    public required IReadOnlyList<string> Methods { get; init; }
    public required DateOnly BaseDate { get; init; }
    public required long ValueFen { get; init; }
    public required string ReportNumber { get; init; }
    public required long AssessmentFeeFen { get; init; }

    /// <summary>The appraisal report; required before the asset is submitted.</summary>
    public RecordFile? Report { get; init; }
}

/// <summary>A registration of the asset at a data exchange.</summary>
public sealed record AddRegistrationRequest
{
    public string? Exchange { get; init; }
    public string? CertificateNumber { get; init; }

    /// <summary>initial (首次), change (变更) or cancellation (注销).</summary>
    public string? Type { get; init; }

    public DateOnly? RegisteredOn { get; init; }
}

public sealed record ExchangeRegistration(string Id, string Exchange, string CertificateNumber, string Type, DateOnly RegisteredOn);

public sealed record DataAsset : RecordState
{
    public required string Name { get; init; }
    public required IReadOnlyList<string> DatasetIds { get; init; }
    public required string AccountingCategory { get; init; }
    public required string Acquisition { get; init; }
    public required long CostFen { get; init; }
    public required DateOnly RecognitionDate { get; init; }
    public int? UsefulLifeMonths { get; init; }
    public required string Notes { get; init; }
    public required IReadOnlyList<Valuation> Valuations { get; init; }
    public required IReadOnlyList<ExchangeRegistration> Registrations { get; init; }
}

// ---- DCMM certificates --------------------------------------------------------------------------------------------

public sealed record DcmmCertificateFields
{
    /// <summary>GB/T 36073-2018 or GB/T 36073-2025.</summary>
    public string? Standard { get; init; }

    /// <summary>1 初始级, 2 受管理级, 3 稳健级, 4 量化管理级, 5 优化级.</summary>
    public int? Level { get; init; }

    public string? CertificateNumber { get; init; }
    public string? CertifyingBody { get; init; }
    public DateOnly? IssuedOn { get; init; }

    /// <summary>Defaults to three years after <see cref="IssuedOn"/>.</summary>
    public DateOnly? ValidUntil { get; init; }
}

public sealed record DcmmCertificate : RecordState
{
    public required string Standard { get; init; }
    public required int Level { get; init; }
    public required string CertificateNumber { get; init; }
    public required string CertifyingBody { get; init; }
    public required DateOnly IssuedOn { get; init; }
    public required DateOnly ValidUntil { get; init; }

    /// <summary>True when valid_until is before today (Asia/Shanghai) as of the response.</summary>
    public required bool Expired { get; init; }

    public RecordFile? Evidence { get; init; }
}

// ---- Trusted-data-space pilots ------------------------------------------------------------------------------------

public sealed record DataSpacePilotFields
{
    /// <summary>national, provincial or city.</summary>
    public string? Level { get; init; }

    public string? ProjectName { get; init; }
    public string? ApprovalNumber { get; init; }
    public long? ConstructionCostFen { get; init; }
}

public sealed record DataSpacePilot : RecordState
{
    public required string Level { get; init; }
    public required string ProjectName { get; init; }
    public required string ApprovalNumber { get; init; }
    public required long ConstructionCostFen { get; init; }
    public RecordFile? Evidence { get; init; }
}

// ---- The bureau ---------------------------------------------------------------------------------------------------

/// <summary>Returns a submitted revision to its unit.</summary>
public sealed record ReturnRecordRequest(string? Reason);

/// <summary>The bureau's DCMM reward amounts per level, in fen. No defaults: the bureau sets them.</summary>
public sealed record DcmmRewardPolicyRequest(long? Level3Fen, long? Level4Fen, long? Level5Fen);

public sealed record DcmmRewardPolicy(string Id, long Level3Fen, long Level4Fen, long Level5Fen, DateTimeOffset CreatedAt);

/// <summary>The bureau's assessment-fee subsidy: a share of each verified valuation's fee, at most the cap per valuation.</summary>
/// <param name="RateBasisPoints">Share of the assessment fee, in basis points (5000 = 50 %).</param>
/// <param name="CapFen">The most one valuation earns, in fen.</param>
/// <param name="RequireListingCertificate">
/// Optional (default false): subsidise only assets one of whose datasets held a valid listing certificate (数据产品登记凭证)
/// when the revision was verified; the line names it.
/// </param>
public sealed record AssetFeeSubsidyPolicyRequest(int? RateBasisPoints, long? CapFen, bool? RequireListingCertificate = null);

public sealed record AssetFeeSubsidyPolicy(string Id, int RateBasisPoints, long CapFen, DateTimeOffset CreatedAt, bool RequireListingCertificate = false);

// ---- Exports -------------------------------------------------------------------------------------------------------

/// <summary>A list the bureau exports for payment or filing (the JSON form of the CSV/XLSX export).</summary>
public sealed record RecordExport<TLine>
{
    /// <summary>dcmm_rewards, pilot_subsidies, asset_fee_subsidies or data_assets.</summary>
    public required string Kind { get; init; }

    public required string Title { get; init; }

    /// <summary>Records verified on or after this date (Asia/Shanghai), when given.</summary>
    public DateOnly? PeriodFrom { get; init; }

    /// <summary>Records verified on or before this date (Asia/Shanghai), when given.</summary>
    public DateOnly? PeriodTo { get; init; }

    /// <summary>The bureau policy the amounts follow, for DCMM rewards and fee subsidies.</summary>
    public string? PolicyId { get; init; }

    public required DateTimeOffset GeneratedAt { get; init; }
    public required IReadOnlyList<TLine> Lines { get; init; }

    /// <summary>Sum of the amounts paid (or, for data assets, of book cost), in fen.</summary>
    public required long TotalFen { get; init; }
}

/// <summary>A verified DCMM certificate and what it earns: the level's amount less what the unit was paid for a lower level.</summary>
public sealed record DcmmRewardLine(
    string UnitId, string UnitName, string UnitCreditCode, string RecordId, int Revision, string Standard, int Level, string CertificateNumber,
    string CertifyingBody, DateOnly ValidUntil, DateTimeOffset VerifiedAt, int PreviouslyRewardedLevel, long LevelAmountFen, long PreviouslyPaidFen,
    long RewardFen, string ReasonCode);

/// <summary>A verified trusted-data-space pilot and its subsidy.</summary>
public sealed record PilotSubsidyLine(
    string UnitId, string UnitName, string UnitCreditCode, string RecordId, int Revision, string Level, string ProjectName, string ApprovalNumber,
    long ConstructionCostFen, int RateBasisPoints, long CapFen, long BeforeCapFen, long SubsidyFen, DateTimeOffset VerifiedAt, string ReasonCode);

/// <summary>A valuation of a verified data asset and its assessment-fee subsidy.</summary>
public sealed record AssetFeeSubsidyLine(
    string UnitId, string UnitName, string UnitCreditCode, string AssetId, int Revision, string AssetName, string ValuationId, string AssessorFirm,
    string ReportNumber, DateOnly BaseDate, long ValueFen, long AssessmentFeeFen, long BeforeCapFen, long SubsidyFen, DateTimeOffset VerifiedAt, string ReasonCode,
    string? ListingCertificate = null);

/// <summary>A verified data asset as booked (数据资产入表).</summary>
public sealed record DataAssetExportLine(
    string UnitId, string UnitName, string UnitCreditCode, string AssetId, int Revision, string Name, string AccountingCategory, string Acquisition,
    long CostFen, DateOnly RecognitionDate, int? UsefulLifeMonths, int DatasetCount, long? LatestValuationFen, DateOnly? LatestValuationBaseDate,
    string RegistrationCertificates, DateTimeOffset VerifiedAt, string ContentSha256);
