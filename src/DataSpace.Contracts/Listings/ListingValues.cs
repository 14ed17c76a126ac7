namespace DataSpace.Contracts.Listings;

/// <summary>A listing application's workflow.</summary>
public static class ListingStatuses
{
    public const string Draft = "draft";
    public const string Submitted = "submitted";
    public const string Returned = "returned";
    public const string Verified = "verified";
    public const string Revoked = "revoked";

    public static readonly IReadOnlyList<string> All = [Draft, Submitted, Returned, Verified, Revoked];
}

/// <summary>Where a listing certificate stands now.</summary>
public static class CertificateStatuses
{
    public const string Valid = "valid";
    public const string Expired = "expired";
    public const string Revoked = "revoked";

    public static readonly IReadOnlyList<string> All = [Valid, Expired, Revoked];
}

/// <summary>Where an objection to a listing notice stands.</summary>
public static class ObjectionStatuses
{
    public const string Open = "open";
    public const string Dismissed = "dismissed";
    public const string Upheld = "upheld";

    public static readonly IReadOnlyList<string> All = [Open, Dismissed, Upheld];
}

/// <summary>How the bureau resolves an objection.</summary>
public static class ObjectionOutcomes
{
    public const string Dismissed = ObjectionStatuses.Dismissed;
    public const string Upheld = ObjectionStatuses.Upheld;

    public static readonly IReadOnlyList<string> All = [Dismissed, Upheld];
}

/// <summary>The kinds of assessment an assessor may sign.</summary>
public static class AssessmentKinds
{
    public const string Compliance = "compliance";
    public const string Quality = "quality";
    public const string Valuation = "valuation";

    public static readonly IReadOnlyList<string> All = [Compliance, Quality, Valuation];
}
