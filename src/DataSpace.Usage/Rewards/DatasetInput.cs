namespace DataSpace.Usage.Rewards;

/// <summary>
/// What one dataset brings to a reward run: its revenue in the period (net of refunds, so it may be negative), the
/// evidence for each qualification criterion, and what approved earlier runs already paid for it (used only when caps
/// are <see cref="CapScope.Lifetime"/>).
/// </summary>
public sealed record DatasetInput(
    Guid DatasetId,
    Guid UnitId,
    long RevenueFen,
    long CommittedFiles,
    long LatestVersionBytes,
    long VersionsInPeriod,
    long PayingConsumers,
    long PreviouslyPaidFen = 0);
