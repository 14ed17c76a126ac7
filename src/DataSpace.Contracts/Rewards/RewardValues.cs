namespace DataSpace.Contracts.Rewards;

/// <summary>A reward run's lifecycle: a draft until approved (then frozen); superseded by a later approved run.</summary>
public static class RewardRunStatuses
{
    public const string Draft = "draft";
    public const string Approved = "approved";
    public const string Superseded = "superseded";

    public static readonly IReadOnlyList<string> All = [Draft, Approved, Superseded];
}

/// <summary>Whether a policy's caps hold per run period or over all approved runs.</summary>
public static class CapScopes
{
    public const string PerPeriod = "per_period";
    public const string Lifetime = "lifetime";

    public static readonly IReadOnlyList<string> All = [PerPeriod, Lifetime];
}
