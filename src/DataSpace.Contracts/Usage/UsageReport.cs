namespace DataSpace.Contracts.Usage;

/// <summary>A dataset's usage for its owner. Consumers' identities are their business secrets and are not shown.</summary>
/// <param name="DatasetId">The dataset.</param>
/// <param name="From">First day (Asia/Shanghai).</param>
/// <param name="To">Last day, inclusive (Asia/Shanghai).</param>
/// <param name="Granularity">day or month.</param>
/// <param name="TimeZone">Always Asia/Shanghai: the time of the city's reporting periods.</param>
/// <param name="Buckets">Every bucket of the period, zero-filled.</param>
public sealed record DatasetUsageReport(string DatasetId, DateOnly From, DateOnly To, string Granularity, string TimeZone, IReadOnlyList<DatasetUsageBucket> Buckets);

/// <summary>Usage in one bucket.</summary>
/// <param name="Start">The bucket's first day.</param>
/// <param name="Downloads">Download requests (GET), completed or not.</param>
/// <param name="CompletedDownloads">Requests whose every requested byte was sent.</param>
/// <param name="Bytes">Bytes actually sent.</param>
/// <param name="Consumers">Distinct consumer organisations.</param>
public sealed record DatasetUsageBucket(DateOnly Start, long Downloads, long CompletedDownloads, long Bytes, long Consumers);

/// <summary>The caller's own downloads.</summary>
public sealed record ConsumerUsageReport(DateOnly From, DateOnly To, string Granularity, string TimeZone, IReadOnlyList<ConsumerUsageBucket> Buckets);

/// <summary>The caller's downloads of one dataset in one bucket.</summary>
public sealed record ConsumerUsageBucket(DateOnly Start, string DatasetId, long Downloads, long CompletedDownloads, long Bytes);

/// <summary>A unit's usage statistics, read by an authority under the unit's consent.</summary>
/// <param name="UnitId">The unit.</param>
/// <param name="ConsentId">The consent that allowed the read.</param>
/// <param name="From">First day (Asia/Shanghai).</param>
/// <param name="To">Last day, inclusive.</param>
/// <param name="Granularity">day or month.</param>
/// <param name="TimeZone">Asia/Shanghai.</param>
/// <param name="Buckets">Buckets with activity, per dataset the consent covers.</param>
public sealed record UnitUsageReport(string UnitId, string ConsentId, DateOnly From, DateOnly To, string Granularity, string TimeZone, IReadOnlyList<UnitUsageBucket> Buckets);

/// <summary>One dataset's usage in one bucket.</summary>
public sealed record UnitUsageBucket(DateOnly Start, string DatasetId, long Downloads, long CompletedDownloads, long Bytes, long Consumers);
