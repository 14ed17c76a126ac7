namespace DataSpace.Contracts.Rewards;

/// <summary>A reward policy set by the data bureau. Omitted amounts take the city's defaults (10 %, 100,000 CNY, 200,000 CNY).</summary>
public sealed record CreateRewardPolicyRequest
{
    /// <summary>A name, e.g. 2026 年度语料奖励.</summary>
    public string? Name { get; init; }
    /// <summary>Share of revenue in basis points (1000 = 10 %), 0–10000.</summary>
    public int? RateBasisPoints { get; init; }
    /// <summary>Cap per dataset, fen (default 10,000,000).</summary>
    public long? DatasetCapFen { get; init; }
    /// <summary>Cap per data-source unit, fen (default 20,000,000).</summary>
    public long? UnitCapFen { get; init; }
    /// <summary>per_period or lifetime (lifetime caps subtract what approved runs already paid).</summary>
    public string? CapScope { get; init; }
    /// <summary>规模质量: minimum files in the latest committed version.</summary>
    public long? MinFiles { get; init; }
    /// <summary>规模质量: minimum bytes in the latest committed version.</summary>
    public long? MinBytes { get; init; }
    /// <summary>更新频率: minimum versions committed in the period.</summary>
    public long? MinVersionsInPeriod { get; init; }
    /// <summary>应用成效: minimum distinct paying consumer organisations in the period.</summary>
    public long? MinPayingConsumers { get; init; }
    /// <summary>规模质量, optional: minimum data rows in the latest committed version's profiled files (csv, tsv, jsonl, parquet). Omitted: not a criterion.</summary>
    public long? MinRows { get; init; }
    /// <summary>规模质量, optional: minimum completeness of those files in basis points (non-null cells ÷ cells × 10000, rounded down), 0–10000. Omitted: not a criterion.</summary>
    public int? MinCompletenessBasisPoints { get; init; }
    /// <summary>
    /// Qualification, optional (default false): the dataset must hold a listing certificate (数据产品登记凭证) in force for some
    /// part of the period and not revoked when the run is computed; the line names the certificate it qualified with.
    /// </summary>
    public bool? RequireListingCertificate { get; init; }
}

/// <summary>A policy; never changes once created. min_rows and min_completeness_basis_points are null when not criteria.</summary>
public sealed record RewardPolicyView(
    string Id, string Name, int RateBasisPoints, long DatasetCapFen, long UnitCapFen, string CapScope,
    long MinFiles, long MinBytes, long MinVersionsInPeriod, long MinPayingConsumers, DateTimeOffset CreatedAt,
    long? MinRows = null, int? MinCompletenessBasisPoints = null, bool RequireListingCertificate = false);

/// <summary>Computes a draft run for a period (default: the calendar year before this one, Asia/Shanghai).</summary>
public sealed record CreateRewardRunRequest
{
    public string? PolicyId { get; init; }
    /// <summary>First day of the period.</summary>
    public DateOnly? PeriodFrom { get; init; }
    /// <summary>Last day of the period, inclusive.</summary>
    public DateOnly? PeriodTo { get; init; }
}

/// <summary>One qualification criterion of a line: the evidence, the threshold and the outcome.</summary>
/// <param name="Criterion">committed_files, latest_version_bytes, versions_in_period, paying_consumers, latest_version_rows, completeness_basis_points or listing_certificate.</param>
/// <param name="Evidence">What the dataset showed (for listing_certificate: 1 with a certificate in force, 0 without).</param>
/// <param name="Threshold">The least the policy asks for.</param>
/// <param name="Passed">Evidence is at least the threshold.</param>
/// <param name="ReasonCode">ok, or the criterion's below_min_* / no_valid_listing_certificate code.</param>
/// <param name="CertificateNumber">
/// For <c>listing_certificate</c> with evidence 1 only: the number of the listing certificate the dataset qualified with
/// (anyone checks it at <c>GET /v1/certificates/{number}</c>). Absent otherwise, so runs without the criterion read, and hash,
/// exactly as before.
/// </param>
public sealed record RewardCriterion(string Criterion, long Evidence, long Threshold, bool Passed, string ReasonCode,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? CertificateNumber = null);

/// <summary>One dataset's reward in a run; money in fen.</summary>
public sealed record RewardRunLine(
    string UnitId, string UnitName, string DatasetId, string DatasetTitle, long RevenueFen, IReadOnlyList<RewardCriterion> Criteria, bool Qualified,
    long RewardBeforeCapsFen, long AfterDatasetCapFen, long RewardFen, string ReasonCode);

/// <summary>A unit's total in a run, with its unified social credit code (统一社会信用代码) as finance needs it.</summary>
public sealed record RewardRunUnit(string UnitId, string UnitName, long UnitCapRemainingFen, long RequestedFen, long RewardFen, bool UnitCapApplied, string UnitCreditCode = "");

/// <summary>A reward run: a draft, or approved and frozen by the SHA-256 of its content.</summary>
public sealed record RewardRun
{
    public required string Id { get; init; }
    public required string PolicyId { get; init; }
    public required DateOnly PeriodFrom { get; init; }
    public required DateOnly PeriodTo { get; init; }
    /// <summary>draft, approved or superseded.</summary>
    public required string Status { get; init; }
    /// <summary>
    /// Set on approval: the SHA-256 (hex) of the run's canonical content, which is exactly the bytes of its jsonl export
    /// (<c>sha256sum</c> of that file gives this value).
    /// </summary>
    public string? ContentSha256 { get; init; }
    public DateTimeOffset? ApprovedAt { get; init; }
    public string? Supersedes { get; init; }
    public string? SupersedeReason { get; init; }
    public required int UnitsInProgramme { get; init; }
    /// <summary>Units that own datasets but have not consented to the bureau reading their revenue and usage statistics: not computed.</summary>
    public required int UnitsNotConsenting { get; init; }
    public required long TotalFen { get; init; }
    /// <summary>How many lines (one per dataset in the programme) the run has; read them a page at a time at <see cref="LinesUrl"/>.</summary>
    public required int LineCount { get; init; }
    /// <summary>The run's lines, paged: <c>/v1/reward-runs/{id}/lines</c>.</summary>
    public required string LinesUrl { get; init; }
    /// <summary>Where the whole run downloads, by format: csv, xlsx, parquet, json and jsonl (the canonical content its SHA-256 covers).</summary>
    public required IReadOnlyDictionary<string, string> Exports { get; init; }
    /// <summary>Each unit's total after its cap, in the order computed.</summary>
    public required IReadOnlyList<RewardRunUnit> Units { get; init; }
}

/// <summary>A reward run as the list shows it, without lines (GET the run for those).</summary>
/// <param name="Id">The run.</param>
/// <param name="PolicyId">The reward policy it applied.</param>
/// <param name="PeriodFrom">First day of the period (Asia/Shanghai).</param>
/// <param name="PeriodTo">Last day of the period, inclusive.</param>
/// <param name="Status">draft, approved or superseded.</param>
/// <param name="ContentSha256">SHA-256 of the frozen content once approved; null for a draft.</param>
/// <param name="TotalFen">The run's total reward in fen; for a source unit, the unit's own total.</param>
/// <param name="UnitsInProgramme">Units whose consent put them in the run.</param>
/// <param name="CreatedAt">When it was computed.</param>
/// <param name="ApprovedAt">When it was approved, if it was.</param>
/// <param name="Supersedes">The approved run this one replaced, if any.</param>
public sealed record RewardRunSummary(
    string Id, string PolicyId, DateOnly PeriodFrom, DateOnly PeriodTo, string Status, string? ContentSha256, long TotalFen, int UnitsInProgramme,
    DateTimeOffset CreatedAt, DateTimeOffset? ApprovedAt, string? Supersedes);

/// <summary>Approves a draft run.</summary>
public sealed record ApproveRewardRunRequest
{
    /// <summary>Required when an approved run over an overlapping period exists: why this run supersedes it.</summary>
    public string? SupersedeReason { get; init; }
}
