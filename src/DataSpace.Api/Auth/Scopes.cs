namespace DataSpace.Api.Auth;

/// <summary>
/// OAuth scopes. A token's rights are its organisation's roles intersected with its scopes, so a narrowly scoped
/// token (say, a download job holding only <c>catalog</c>) cannot do what its organisation could.
/// </summary>
internal static class Scopes
{
    /// <summary>Platform administration: organisations, clients, payment confirmation.</summary>
    public const string Admin = "admin";

    /// <summary>Browse the catalog, read one's own organisation, download.</summary>
    public const string Catalog = "catalog";

    /// <summary>Register datasets, upload versions, publish.</summary>
    public const string Publish = "publish";

    /// <summary>Accept terms, order, subscribe.</summary>
    public const string Orders = "orders";

    /// <summary>Grant, request and use consents.</summary>
    public const string Consents = "consents";

    /// <summary>Reward policies, runs and exports.</summary>
    public const string Rewards = "rewards";

    /// <summary>Asset-registration and DCMM records.</summary>
    public const string Records = "records";

    /// <summary>Read the audit trail about one's own data.</summary>
    public const string Audit = "audit";

    /// <summary>
    /// Manage the organisation's outbound webhook endpoints: register, disable, rotate secrets, read the delivery log,
    /// redeliver. Apart from catalog, so that a download job's token cannot point the organisation's events elsewhere.
    /// </summary>
    public const string Webhooks = "webhooks";

    public static readonly IReadOnlyList<string> All = [Admin, Catalog, Publish, Orders, Consents, Rewards, Records, Audit, Webhooks];

    /// <summary>Which scopes each role can use: a client may only be given scopes one of its organisation's roles allows.</summary>
    private static readonly Dictionary<string, string[]> ByRole = new(StringComparer.Ordinal)
    {
        [Roles.Operator] = [Admin, Catalog, Audit, Webhooks],
        [Roles.SourceUnit] = [Catalog, Publish, Consents, Rewards, Records, Audit, Webhooks],
        [Roles.ModelBuilder] = [Catalog, Orders, Audit, Webhooks],
        [Roles.DataBureau] = [Catalog, Consents, Rewards, Records, Audit, Webhooks],
        [Roles.Authority] = [Catalog, Consents, Records, Audit, Webhooks],
        [Roles.Assessor] = [Catalog, Records, Audit, Webhooks],
    };

    public static IReadOnlyList<string> AllowedFor(IEnumerable<string> roles) =>
        [.. All.Where(scope => roles.Any(role => ByRole.TryGetValue(role, out var s) && s.Contains(scope)))];
}
