namespace DataSpace.Usage.Rewards;

/// <summary>Stable names of the qualification criteria, as exported with every reward line.</summary>
public static class RewardCriteria
{
    /// <summary>Scale and quality (规模质量): committed files.</summary>
    public const string CommittedFiles = "committed_files";

    /// <summary>Scale and quality (规模质量): bytes in the latest committed version.</summary>
    public const string LatestVersionBytes = "latest_version_bytes";

    /// <summary>Update frequency (更新频率): versions committed in the period.</summary>
    public const string VersionsInPeriod = "versions_in_period";

    /// <summary>Application effect (应用成效): distinct paying consumer organisations in the period.</summary>
    public const string PayingConsumers = "paying_consumers";

    /// <summary>Scale and quality (规模质量), when the policy sets it: data rows in the latest committed version.</summary>
    public const string LatestVersionRows = "latest_version_rows";

    /// <summary>Scale and quality (规模质量), when the policy sets it: completeness of the latest committed version, basis points.</summary>
    public const string Completeness = "completeness_basis_points";

    /// <summary>Qualification, when the policy requires it: a valid listing certificate (1) or none (0); the line names the certificate.</summary>
    public const string ListingCertificate = "listing_certificate";

    /// <summary>Every criterion, in name order.</summary>
    public static readonly IReadOnlyList<string> All =
        [CommittedFiles, Completeness, LatestVersionBytes, LatestVersionRows, ListingCertificate, PayingConsumers, VersionsInPeriod];
}

/// <summary>Stable reason codes: per criterion, and for a line as a whole. Exports and clients match on these.</summary>
public static class RewardReasons
{
    /// <summary>The criterion passed, or the line earned its uncapped reward.</summary>
    public const string Ok = "ok";

    public const string BelowMinFiles = "below_min_files";
    public const string BelowMinBytes = "below_min_bytes";
    public const string BelowMinVersions = "below_min_versions";
    public const string BelowMinPayingConsumers = "below_min_paying_consumers";
    public const string BelowMinRows = "below_min_rows";
    public const string BelowMinCompleteness = "below_min_completeness";
    public const string NoValidListingCertificate = "no_valid_listing_certificate";

    /// <summary>Line: at least one criterion failed, so the dataset earns nothing; the criteria say which.</summary>
    public const string NotQualified = "not_qualified";

    /// <summary>Line: qualified, but revenue in the period was zero or negative (refunds).</summary>
    public const string NoRevenue = "no_revenue";

    /// <summary>Line: the per-dataset cap (what remains of it) lowered the reward.</summary>
    public const string DatasetCap = "dataset_cap";

    /// <summary>Line: the unit's cap bound and the reward was scaled down with the unit's other datasets.</summary>
    public const string UnitCap = "unit_cap";

    /// <summary>Every reason code, in name order.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        BelowMinBytes, BelowMinCompleteness, BelowMinFiles, BelowMinPayingConsumers, BelowMinRows, BelowMinVersions,
        DatasetCap, NoRevenue, NoValidListingCertificate, NotQualified, Ok, UnitCap,
    ];
}
