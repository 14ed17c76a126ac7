using DataSpace.Contracts.Common;

namespace DataSpace.Contracts.Orders;

/// <summary>Sets a new version of a dataset's data use agreement (owner).</summary>
public sealed record SetTermsRequest
{
    /// <summary>The agreement's full text, 1–50,000 characters.</summary>
    public string? Text { get; init; }

    /// <summary>The machine-readable usage policy beside the text, enforced on every read; omitted: the text alone.</summary>
    public DataSpace.Contracts.Access.UsagePolicy? Policy { get; init; }
}

/// <summary>A version of a dataset's data use agreement.</summary>
/// <param name="DatasetId">The dataset.</param>
/// <param name="Version">Increases by one with each change.</param>
/// <param name="Text">The agreement.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the UTF-8 text: what an acceptance refers to.</param>
/// <param name="CreatedAt">When this version was set.</param>
/// <param name="Policy">The usage policy of this version, if it has one.</param>
/// <param name="PolicySha256">Lower-case hex SHA-256 of the policy's canonical JSON: what an agreement records.</param>
public sealed record DatasetTerms(string DatasetId, int Version, string Text, string Sha256, DateTimeOffset CreatedAt,
    DataSpace.Contracts.Access.UsagePolicy? Policy = null, string? PolicySha256 = null);

/// <summary>Accepts the current terms.</summary>
public sealed record AcceptTermsRequest
{
    /// <summary>The version being accepted; it must be the current one.</summary>
    public int? TermsVersion { get; init; }

    /// <summary>
    /// The purpose the organisation will use the data for (purpose code list). Downloads under an order are checked against
    /// the usage policy with this purpose.
    /// </summary>
    public string? Purpose { get; init; }
}

/// <summary>A recorded acceptance.</summary>
/// <param name="DatasetId">The dataset.</param>
/// <param name="TermsVersion">The accepted version.</param>
/// <param name="TermsSha256">The accepted text's SHA-256.</param>
/// <param name="OrganizationId">The accepting organisation.</param>
/// <param name="ClientId">The API client that accepted.</param>
/// <param name="AcceptedAt">When it was first accepted.</param>
/// <param name="Purpose">The declared purpose, if any.</param>
/// <param name="PolicySha256">The hash of the usage policy accepted with the terms, if they have one.</param>
public sealed record Agreement(string DatasetId, int TermsVersion, string TermsSha256, string OrganizationId, string ClientId, DateTimeOffset AcceptedAt,
    string? Purpose = null, string? PolicySha256 = null);

/// <summary>Offers a paid dataset for sale (owner).</summary>
public sealed record CreatePlanRequest
{
    /// <summary>one_time or subscription.</summary>
    public string? Kind { get; init; }

    /// <summary>For subscriptions: P1M, P3M or P1Y.</summary>
    public string? Period { get; init; }

    /// <summary>Price in fen (CNY cents), a positive integer.</summary>
    public long? PriceFen { get; init; }
}

/// <summary>A way to buy a dataset.</summary>
public sealed record Plan(string Id, string DatasetId, string Kind, string? Period, long PriceFen, string Currency, bool Active, DateTimeOffset CreatedAt);

/// <summary>Orders a plan. Requires an Idempotency-Key header.</summary>
public sealed record CreateOrderRequest
{
    public string? PlanId { get; init; }
}

/// <summary>An order with its price snapshot.</summary>
public sealed record Order
{
    public required string Id { get; init; }
    /// <summary>The organisation that ordered.</summary>
    public required OrganizationRef Buyer { get; init; }
    /// <summary>The organisation that owns the dataset and receives the revenue.</summary>
    public required OrganizationRef Seller { get; init; }
    public required string DatasetId { get; init; }
    public required string PlanId { get; init; }
    public required string Kind { get; init; }
    public string? Period { get; init; }
    public required long PriceFen { get; init; }
    public required string Currency { get; init; }
    public required int TermsVersion { get; init; }
    /// <summary>pending_payment, paid, cancelled or refunded.</summary>
    public required string Status { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? PaidAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public string? EntitlementId { get; init; }
}

/// <summary>Confirms a payment (operator).</summary>
public sealed record ConfirmPaymentRequest
{
    /// <summary>The amount received, in fen; must equal the order's price.</summary>
    public long? AmountFen { get; init; }

    /// <summary>The payment provider's reference, unique across all payments.</summary>
    public string? Reference { get; init; }
}

/// <summary>The right to download a paid dataset's files.</summary>
public sealed record Entitlement(string Id, string OrderId, string OrganizationId, string DatasetId, DateTimeOffset ValidFrom, DateTimeOffset? ValidUntil, DateTimeOffset? RevokedAt, bool Active);

/// <summary>A unit's revenue per dataset and month.</summary>
/// <param name="From">First month (Asia/Shanghai), YYYY-MM-01.</param>
/// <param name="To">Last month included.</param>
/// <param name="Lines">Per dataset and month: payments, refunds and net, in fen.</param>
/// <param name="TotalFen">Net total in fen.</param>
public sealed record RevenueReport(DateOnly From, DateOnly To, IReadOnlyList<RevenueLine> Lines, long TotalFen);

/// <summary>One dataset's revenue in one month.</summary>
public sealed record RevenueLine(DateOnly Month, string DatasetId, long PaymentsFen, long RefundsFen, long NetFen);

/// <summary>The payment notification a payment provider posts to /v1/payment-webhooks.</summary>
public sealed record PaymentNotification
{
    /// <summary>The order paid.</summary>
    public string? OrderId { get; init; }

    /// <summary>The amount received in fen; must equal the order's price.</summary>
    public long? AmountFen { get; init; }

    /// <summary>The provider's unique payment reference.</summary>
    public string? Reference { get; init; }
}
