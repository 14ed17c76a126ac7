namespace DataSpace.Contracts.Consents;

/// <summary>Where a consent stands now (computed from its validity window and revocation).</summary>
public static class ConsentStatuses
{
    public const string Active = "active";
    public const string NotYetValid = "not_yet_valid";
    public const string Expired = "expired";
    public const string Revoked = "revoked";

    public static readonly IReadOnlyList<string> All = [Active, NotYetValid, Expired, Revoked];
}

/// <summary>Where an authority's request for consent stands; expired: still pending past its expiry (never stored).</summary>
public static class ConsentRequestStatuses
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Expired = "expired";

    public static readonly IReadOnlyList<string> All = [Pending, Approved, Rejected, Expired];
}

/// <summary>The categories of a unit's data a consent may cover (management measures, Art. 11).</summary>
public static class ConsentCategories
{
    public const string DatasetFiles = "dataset_files";
    public const string UsageStatistics = "usage_statistics";
    public const string Revenue = "revenue";
    public const string AssetRecords = "asset_records";
    public const string DcmmRecords = "dcmm_records";

    public static readonly IReadOnlyList<string> All = [DatasetFiles, UsageStatistics, Revenue, AssetRecords, DcmmRecords];
}
