namespace DataSpace.Contracts.Records;

/// <summary>A record's workflow: draft → submitted → verified or returned (by the bureau); a newer verified record supersedes.</summary>
public static class RecordStatuses
{
    public const string Draft = "draft";
    public const string Submitted = "submitted";
    public const string Returned = "returned";
    public const string Verified = "verified";
    public const string Superseded = "superseded";

    public static readonly IReadOnlyList<string> All = [Draft, Submitted, Returned, Verified, Superseded];
}

/// <summary>Exchange registration types: 首次 initial, 变更 change, 注销 cancellation.</summary>
public static class RegistrationTypes
{
    public const string Initial = "initial";
    public const string Change = "change";
    public const string Cancellation = "cancellation";

    public static readonly IReadOnlyList<string> All = [Initial, Change, Cancellation];
}

/// <summary>Accounting categories under 财会〔2023〕11号.</summary>
public static class AccountingCategories
{
    public const string IntangibleAsset = "intangible_asset";
    public const string Inventory = "inventory";
    public const string DevelopmentExpenditure = "development_expenditure";
    public const string NotRecognised = "not_recognised";

    public static readonly IReadOnlyList<string> All = [IntangibleAsset, Inventory, DevelopmentExpenditure, NotRecognised];
}

/// <summary>How a data asset was acquired.</summary>
public static class Acquisitions
{
    public const string Purchased = "purchased";
    public const string SelfDeveloped = "self_developed";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Purchased, SelfDeveloped, Other];
}

/// <summary>Valuation methods.</summary>
public static class ValuationMethods
{
    public const string Income = "income";
    public const string Cost = "cost";
    public const string Market = "market";

    public static readonly IReadOnlyList<string> All = [Income, Cost, Market];
}

/// <summary>The DCMM standards a certificate may be issued under.</summary>
public static class DcmmStandards
{
    public const string Gb2018 = "GB/T 36073-2018";
    public const string Gb2025 = "GB/T 36073-2025";

    public static readonly IReadOnlyList<string> All = [Gb2018, Gb2025];
}

/// <summary>Trusted-data-space pilot levels.</summary>
public static class PilotLevels
{
    public const string National = "national";
    public const string Provincial = "provincial";
    public const string City = "city";

    public static readonly IReadOnlyList<string> All = [National, Provincial, City];
}
