namespace DataSpace.Contracts.Usage;

/// <summary>The buckets of a usage report.</summary>
public static class Granularities
{
    public const string Day = "day";
    public const string Month = "month";

    public static readonly IReadOnlyList<string> All = [Day, Month];
}
