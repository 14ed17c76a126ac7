namespace DataSpace.Usage.Rewards;

/// <summary>
/// What one dataset brings to a reward run: its revenue in the period (net of refunds, so it may be negative), the
/// evidence for each qualification criterion, and what approved earlier runs already paid for it (used only when caps
/// are <see cref="CapScope.Lifetime"/>). Rows, cells and null cells sum the profiles of the latest committed version's
/// tabular files that are profiled (done); files not profiled yet, failed or not tabular count nothing. ListingCertificate is
/// the number of the dataset's listing certificate in force in the period, if any (read only when the policy requires one).
/// </summary>
public sealed record DatasetInput(
    Guid DatasetId,
    Guid UnitId,
    long RevenueFen,
    long CommittedFiles,
    long LatestVersionBytes,
    long VersionsInPeriod,
    long PayingConsumers,
    long PreviouslyPaidFen = 0,
    long LatestVersionRows = 0,
    long LatestVersionCells = 0,
    long LatestVersionNullCells = 0,
    string? ListingCertificate = null)
{
    /// <summary>Non-null cells ÷ cells in basis points, rounded down; 0 when there are no cells.</summary>
    public long CompletenessBasisPoints => LatestVersionCells <= 0 ? 0
        : (long)((Int128)(LatestVersionCells - LatestVersionNullCells) * BasisPoints.Whole / LatestVersionCells);
}
