namespace DataSpace.Contracts.Versions;

/// <summary>A version's lifecycle: a draft takes files until it is committed, then never changes.</summary>
public static class VersionStatuses
{
    public const string Draft = "draft";
    public const string Committed = "committed";

    public static readonly IReadOnlyList<string> All = [Draft, Committed];
}

/// <summary>How much of a manifest the caller sees: everything, or what the preview policy shows before purchase.</summary>
public static class ManifestViews
{
    public const string Full = "full";
    public const string Preview = "preview";

    public static readonly IReadOnlyList<string> All = [Full, Preview];
}

/// <summary>Where a file's profile stands.</summary>
public static class ProfileStatuses
{
    public const string Pending = "pending";
    public const string Done = "done";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Done, Failed];
}

/// <summary>Where a file's Parquet rendition stands; unavailable: the file's format has none.</summary>
public static class RenditionStatuses
{
    public const string Pending = "pending";
    public const string Done = "done";
    public const string Failed = "failed";
    public const string Unavailable = "unavailable";

    public static readonly IReadOnlyList<string> All = [Pending, Done, Failed, Unavailable];
}

/// <summary>What a verification found of a file's stored bytes.</summary>
public static class FileConditions
{
    public const string Intact = "intact";

    /// <summary>The store has no blob.</summary>
    public const string Missing = "missing";

    /// <summary>The blob has another length.</summary>
    public const string Size = "size";

    /// <summary>Same length, other bytes.</summary>
    public const string Sha256 = "sha256";

    public static readonly IReadOnlyList<string> All = [Intact, Missing, Size, Sha256];
}
