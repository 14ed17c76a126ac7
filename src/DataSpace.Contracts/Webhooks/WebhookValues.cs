namespace DataSpace.Contracts.Webhooks;

/// <summary>Where a webhook delivery stands.</summary>
public static class DeliveryStatuses
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Delivered, Failed];
}

/// <summary>What started a delivery attempt: the retry schedule or a redelivery asked for.</summary>
public static class DeliveryTriggers
{
    public const string Scheduled = "scheduled";
    public const string Manual = "manual";

    public static readonly IReadOnlyList<string> All = [Scheduled, Manual];
}
