namespace DataSpace.Api.Auth;

/// <summary>
/// Roles of a person inside their organisation. A console session carries the scopes of the person's role intersected
/// with the scopes the organisation's roles allow (<see cref="Scopes.AllowedFor"/>), so every named policy judges a
/// person exactly as it judges an API client holding those scopes.
/// </summary>
internal static class ConsoleRoles
{
    /// <summary>Everything the organisation may do, and managing its users.</summary>
    public const string Admin = "admin";

    /// <summary>The organisation's daily work: publish, order, consent, records, rewards — not administration.</summary>
    public const string Editor = "editor";

    /// <summary>The bureau's (or a unit's) review work: records, rewards, consents, the audit trail.</summary>
    public const string Reviewer = "reviewer";

    /// <summary>Browse the catalog and read the audit trail; change nothing.</summary>
    public const string Viewer = "viewer";

    public static readonly IReadOnlyList<string> All = [Admin, Editor, Reviewer, Viewer];

    private static readonly Dictionary<string, string[]> ScopesByRole = new(StringComparer.Ordinal)
    {
        [Admin] = [.. Scopes.All],
        [Editor] = [Scopes.Catalog, Scopes.Publish, Scopes.Orders, Scopes.Consents, Scopes.Rewards, Scopes.Records, Scopes.Audit],
        [Reviewer] = [Scopes.Catalog, Scopes.Consents, Scopes.Rewards, Scopes.Records, Scopes.Audit],
        [Viewer] = [Scopes.Catalog, Scopes.Audit],
    };

    /// <summary>The scopes a session of a person with <paramref name="consoleRole"/> in an organisation with these roles carries.</summary>
    public static IReadOnlyList<string> ScopesFor(string consoleRole, IEnumerable<string> organizationRoles) =>
        ScopesByRole.TryGetValue(consoleRole, out var mine)
            ? [.. Scopes.AllowedFor(organizationRoles).Where(mine.Contains)]
            : [];
}
