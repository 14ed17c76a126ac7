namespace DataSpace.Contracts.Access;

/// <summary>A dataset's access policy: free, terms and order, or the owner's approval of each requester.</summary>
public static class AccessPolicyKinds
{
    public const string Open = "open";
    public const string Terms = "terms";
    public const string Approval = "approval";

    public static readonly IReadOnlyList<string> All = [Open, Terms, Approval];
}

/// <summary>Where an access request stands; expired: still pending past its expiry (never stored).</summary>
public static class AccessRequestStatuses
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Expired = "expired";

    public static readonly IReadOnlyList<string> All = [Pending, Approved, Rejected, Expired];
}

/// <summary>Where a data grant stands; expired: past its validity (never stored).</summary>
public static class GrantStatuses
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
    public const string Dropped = "dropped";

    public static readonly IReadOnlyList<string> All = [Pending, Accepted, Expired, Revoked, Dropped];
}

/// <summary>What a grant stems from: the owner's data grant, or an approved access request.</summary>
public static class GrantKinds
{
    public const string Grant = "grant";
    public const string Approval = "approval";

    public static readonly IReadOnlyList<string> All = [Grant, Approval];
}

/// <summary>What a holding (a right to a dataset) stands on.</summary>
public static class HoldingKinds
{
    public const string Entitlement = "entitlement";
    public const string Grant = "grant";
    public const string Approval = "approval";

    public static readonly IReadOnlyList<string> All = [Entitlement, Grant, Approval];
}

/// <summary>The records an auto-approval rule of an access policy may name; min_level applies to dcmm_certificate only.</summary>
public static class CertificateKinds
{
    public const string DataAsset = "data_asset";
    public const string DataSpacePilot = "data_space_pilot";
    public const string DcmmCertificate = "dcmm_certificate";
    public const string ListingCertificate = "listing_certificate";

    public static readonly IReadOnlyList<string> All = [DataAsset, DataSpacePilot, DcmmCertificate, ListingCertificate];
}
