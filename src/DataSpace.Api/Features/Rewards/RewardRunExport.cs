namespace DataSpace.Api.Features.Rewards;

/// <summary>Everything an export of a reward run shows: the header block, one row per dataset, unit totals, the grand total.</summary>
internal sealed record RewardRunExport(
    string RunId,
    DateOnly PeriodFrom,
    DateOnly PeriodTo,
    string Status,
    string? ContentSha256,
    DateTimeOffset? ApprovedAt,
    string PolicyId,
    int RateBasisPoints,
    long DatasetCapFen,
    long UnitCapFen,
    string CapScope,
    IReadOnlyList<RewardExportLine> Lines,
    IReadOnlyList<RewardExportUnit> Units,
    long TotalFen,
    int UnitsInProgramme,
    int UnitsNotConsenting);

/// <summary>One dataset's reward. Money in fen; exports show yuan with two decimals.</summary>
internal sealed record RewardExportLine(
    string UnitId,
    string UnitName,
    string UnitCreditCode,
    string DatasetId,
    string DatasetTitle,
    long RevenueFen,
    bool Qualified,
    string CriteriaSummary,
    long BeforeCapsFen,
    long AfterDatasetCapFen,
    long RewardFen,
    string ReasonCode);

/// <summary>A unit's total, after its cap.</summary>
internal sealed record RewardExportUnit(string UnitId, string UnitName, string UnitCreditCode, long RequestedFen, long RewardFen, bool UnitCapApplied);
