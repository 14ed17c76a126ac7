namespace DataSpace.Contracts.Health;

/// <summary>What a health probe answers.</summary>
public static class HealthStatuses
{
    public const string Live = "live";
    public const string Ready = "ready";
    public const string NotReady = "not_ready";

    public static readonly IReadOnlyList<string> All = [Live, Ready, NotReady];
}
