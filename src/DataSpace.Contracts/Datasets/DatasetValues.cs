namespace DataSpace.Contracts.Datasets;

// The closed sets of the dataset contract: one definition each, used by the server's code and by the OpenAPI enums.

/// <summary>A dataset's lifecycle: draft → published → withdrawn.</summary>
public static class DatasetStatuses
{
    public const string Draft = "draft";
    public const string Published = "published";
    public const string Withdrawn = "withdrawn";

    public static readonly IReadOnlyList<string> All = [Draft, Published, Withdrawn];
}

/// <summary>How a dataset is obtained: free for every organisation, or under an entitlement from a paid order.</summary>
public static class AccessModes
{
    public const string Open = "open";
    public const string Paid = "paid";

    public static readonly IReadOnlyList<string> All = [Open, Paid];
}

/// <summary>The declared update frequency (更新频率).</summary>
public static class UpdateFrequencies
{
    public const string Once = "once";
    public const string Daily = "daily";
    public const string Weekly = "weekly";
    public const string Monthly = "monthly";
    public const string Quarterly = "quarterly";
    public const string Yearly = "yearly";
    public const string Irregular = "irregular";

    public static readonly IReadOnlyList<string> All = [Once, Daily, Weekly, Monthly, Quarterly, Yearly, Irregular];
}

/// <summary>Security levels a dataset may have: 一般 and 重要. 核心 (core) is refused, so it is not a member.</summary>
public static class SecurityLevels
{
    public const string General = "general";
    public const string Important = "important";

    public static readonly IReadOnlyList<string> All = [General, Important];
}

/// <summary>Whether a dataset holds personal information, and how it may.</summary>
public static class PersonalInformationKinds
{
    public const string None = "none";
    public const string Anonymised = "anonymised";
    public const string SeparateConsent = "separate_consent";

    public static readonly IReadOnlyList<string> All = [None, Anonymised, SeparateConsent];
}

/// <summary>Where a dataset's data comes from (provenance source type).</summary>
public static class SourceTypes
{
    public const string SelfOperated = "self_operated";
    public const string Collected = "collected";
    public const string Purchased = "purchased";
    public const string PublicDataAuthorisation = "public_data_authorisation";
    public const string Derived = "derived";

    public static readonly IReadOnlyList<string> All = [SelfOperated, Collected, Purchased, PublicDataAuthorisation, Derived];
}
