namespace DataSpace.Usage.Rewards;

/// <summary>Whether the caps bound one period's run or everything ever paid under the policy.</summary>
public enum CapScope
{
    /// <summary>Each period starts afresh: earlier payments are ignored.</summary>
    PerPeriod,

    /// <summary>The caps bound the total over all approved runs: earlier payments reduce what is left.</summary>
    Lifetime,
}

/// <summary>
/// One version of the bureau's corpus-reward policy. Rate and caps default to the city's policy texts (10 % of revenue,
/// at most 100,000 CNY per dataset and 200,000 CNY per unit). The texts give no qualification thresholds and no cap
/// scope, so those have no defaults: the bureau must choose them.
/// </summary>
public sealed record RewardPolicy
{
    /// <summary>Share of the period's revenue paid as reward, in basis points (1/10000); 0 to 10000.</summary>
    public int RateBasisPoints { get; init; } = 1000;

    /// <summary>Most one dataset earns, in fen; per period or lifetime as <see cref="CapScope"/> says.</summary>
    public long DatasetCapFen { get; init; } = 10_000_000;

    /// <summary>Most one data-source unit earns over all its datasets, in fen; per period or lifetime as <see cref="CapScope"/> says.</summary>
    public long UnitCapFen { get; init; } = 20_000_000;

    public required CapScope CapScope { get; init; }

    /// <summary>Scale and quality (规模质量): at least this many committed files.</summary>
    public required long MinFiles { get; init; }

    /// <summary>Scale and quality (规模质量): at least this many bytes in the latest committed version.</summary>
    public required long MinBytes { get; init; }

    /// <summary>Update frequency (更新频率): at least this many versions committed in the period.</summary>
    public required long MinVersionsInPeriod { get; init; }

    /// <summary>Application effect (应用成效): at least this many distinct paying consumer organisations in the period.</summary>
    public required long MinPayingConsumers { get; init; }

    /// <summary>
    /// Scale and quality (规模质量), optional: at least this many data rows in the latest committed version's profiled
    /// tabular files. Null: not a criterion (policies made before profiling keep working unchanged).
    /// </summary>
    public long? MinRows { get; init; }

    /// <summary>
    /// Scale and quality (规模质量), optional: at least this completeness, in basis points, of the latest committed version's
    /// profiled tabular files: non-null cells ÷ cells × 10000, rounded down. Null: not a criterion.
    /// </summary>
    public int? MinCompletenessBasisPoints { get; init; }

    /// <summary>
    /// Qualification, optional (off by default): the dataset holds a listing certificate (数据产品登记凭证) in force for some
    /// part of the period and not revoked (listing revoked, or the dataset withdrawn) when the run is computed.
    /// </summary>
    public bool RequireListingCertificate { get; init; }
}
