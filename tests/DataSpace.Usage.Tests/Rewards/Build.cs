using DataSpace.Usage.Rewards;

namespace DataSpace.Usage.Tests.Rewards;

/// <summary>Readable inputs for the hand-worked cases: thresholds that every dataset passes unless a test says otherwise.</summary>
internal static class Build
{
    public static readonly Guid UnitA = new("0000000a-0000-0000-0000-000000000000");
    public static readonly Guid UnitB = new("0000000b-0000-0000-0000-000000000000");

    public static readonly IReadOnlyDictionary<Guid, long> NothingPaid = new Dictionary<Guid, long>();

    /// <summary>Dataset n: 00000000-0000-0000-0000-00000000000n (hex), so ids order as their numbers.</summary>
    public static Guid Id(int n) => new($"00000000-0000-0000-0000-{n:x12}");

    public static RewardPolicy Policy(CapScope scope = CapScope.PerPeriod) => new()
    {
        CapScope = scope,
        MinFiles = 10,
        MinBytes = 1_000_000,
        MinVersionsInPeriod = 4,
        MinPayingConsumers = 3,
    };

    /// <summary>A dataset of <see cref="UnitA"/> that passes <see cref="Policy"/>'s thresholds exactly.</summary>
    public static DatasetInput Dataset(int n, long revenueFen, Guid? unit = null, long previouslyPaidFen = 0) => new(
        DatasetId: Id(n),
        UnitId: unit ?? UnitA,
        RevenueFen: revenueFen,
        CommittedFiles: 10,
        LatestVersionBytes: 1_000_000,
        VersionsInPeriod: 4,
        PayingConsumers: 3,
        PreviouslyPaidFen: previouslyPaidFen);

    public static RewardLine Line(this RewardResult result, int n) => result.Lines.Single(l => l.DatasetId == Id(n));

    public static UnitTotal Unit(this RewardResult result, Guid unitId) => result.Units.Single(u => u.UnitId == unitId);
}
