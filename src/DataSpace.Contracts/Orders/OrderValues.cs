namespace DataSpace.Contracts.Orders;

/// <summary>An order's lifecycle.</summary>
public static class OrderStatuses
{
    public const string PendingPayment = "pending_payment";
    public const string Paid = "paid";
    public const string Cancelled = "cancelled";
    public const string Refunded = "refunded";

    public static readonly IReadOnlyList<string> All = [PendingPayment, Paid, Cancelled, Refunded];
}

/// <summary>What a plan sells: a one-time purchase or a subscription period.</summary>
public static class PlanKinds
{
    public const string OneTime = "one_time";
    public const string Subscription = "subscription";

    public static readonly IReadOnlyList<string> All = [OneTime, Subscription];
}

/// <summary>Subscription periods (ISO 8601 durations).</summary>
public static class PlanPeriods
{
    public const string OneMonth = "P1M";
    public const string ThreeMonths = "P3M";
    public const string OneYear = "P1Y";

    public static readonly IReadOnlyList<string> All = [OneMonth, ThreeMonths, OneYear];
}

/// <summary>Currencies of prices and payments: CNY only, in fen.</summary>
public static class Currencies
{
    public const string Cny = "CNY";

    public static readonly IReadOnlyList<string> All = [Cny];
}
