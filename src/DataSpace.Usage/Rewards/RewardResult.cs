namespace DataSpace.Usage.Rewards;

/// <summary>One criterion for one dataset: the evidence, the threshold it was held to, and the outcome.</summary>
/// <param name="Criterion">One of <see cref="RewardCriteria"/>.</param>
/// <param name="Passed">Evidence is at least the threshold.</param>
/// <param name="ReasonCode"><see cref="RewardReasons.Ok"/> or the criterion's <c>below_min_*</c> code.</param>
/// <param name="Reference">The document the evidence is, where it is one: the listing certificate's number.</param>
public sealed record CriterionResult(string Criterion, long Evidence, long Threshold, bool Passed, string ReasonCode, string? Reference = null);

/// <summary>
/// One dataset's reward with every step that led to it, so that a reviewer can redo the arithmetic from the line alone.
/// The criteria are fields rather than a list so that lines compare by value.
/// </summary>
/// <param name="Qualified">All criteria passed (four, plus rows, completeness and the listing certificate when the policy sets them).</param>
/// <param name="RewardBeforeCapsFen">floor(revenue × rate / 10000) when qualified and revenue is positive; otherwise 0.</param>
/// <param name="DatasetCapRemainingFen">The dataset cap, less what earlier runs paid when caps are lifetime (never below 0).</param>
/// <param name="AfterDatasetCapFen">min(before caps, remaining dataset cap).</param>
/// <param name="RewardFen">What is paid: after the dataset cap, scaled down when the unit's cap binds.</param>
/// <param name="ReasonCode">
/// The first that applies of <see cref="RewardReasons.NotQualified"/>, <see cref="RewardReasons.NoRevenue"/>,
/// <see cref="RewardReasons.UnitCap"/> (the unit cap bound and this line had something to scale),
/// <see cref="RewardReasons.DatasetCap"/>, <see cref="RewardReasons.Ok"/>.
/// </param>
public sealed record RewardLine(
    Guid DatasetId,
    Guid UnitId,
    long RevenueFen,
    CriterionResult CommittedFiles,
    CriterionResult LatestVersionBytes,
    CriterionResult VersionsInPeriod,
    CriterionResult PayingConsumers,
    bool Qualified,
    long RewardBeforeCapsFen,
    long DatasetCapRemainingFen,
    long AfterDatasetCapFen,
    long RewardFen,
    string ReasonCode,
    CriterionResult? LatestVersionRows = null,
    CriterionResult? Completeness = null,
    CriterionResult? ListingCertificate = null)
{
    /// <summary>
    /// The criteria in a fixed order: files, bytes, versions, paying consumers, then rows, completeness and the listing
    /// certificate when the policy sets them (so runs under policies without them read exactly as before).
    /// </summary>
    public IReadOnlyList<CriterionResult> Criteria =>
        InOrder(CommittedFiles, LatestVersionBytes, VersionsInPeriod, PayingConsumers, LatestVersionRows, Completeness, ListingCertificate);

    /// <summary>Criteria in the order <see cref="Criteria"/> lists them (a stored line read back lists them the same way).</summary>
    public static IReadOnlyList<CriterionResult> InOrder(
        CriterionResult files, CriterionResult bytes, CriterionResult versions, CriterionResult consumers, CriterionResult? rows, CriterionResult? completeness,
        CriterionResult? certificate) =>
        [files, bytes, versions, consumers, .. Optional(rows), .. Optional(completeness), .. Optional(certificate)];

    private static CriterionResult[] Optional(CriterionResult? c) => c is { } present ? [present] : [];
}

/// <summary>One unit's total.</summary>
/// <param name="UnitCapRemainingFen">The unit cap, less what earlier runs paid the unit when caps are lifetime (never below 0).</param>
/// <param name="RequestedFen">Sum of the unit's lines after the dataset cap.</param>
/// <param name="RewardFen">Sum of the unit's paid lines; equals <paramref name="UnitCapRemainingFen"/> exactly when the cap binds.</param>
/// <param name="UnitCapApplied">Requested exceeded the remaining unit cap, so the lines were scaled.</param>
public sealed record UnitTotal(Guid UnitId, long UnitCapRemainingFen, long RequestedFen, long RewardFen, bool UnitCapApplied);

/// <summary>
/// A run's outcome. Lines are ordered by unit id, then dataset id; units by unit id. Ids are ordered as
/// <see cref="Guid.CompareTo(Guid)"/> orders them, which is the ordinal order of their canonical lower-case text and
/// PostgreSQL's order for <c>uuid</c> (not the order of <see cref="Guid.ToByteArray()"/>).
/// </summary>
public sealed record RewardResult(IReadOnlyList<RewardLine> Lines, IReadOnlyList<UnitTotal> Units, long TotalFen);
