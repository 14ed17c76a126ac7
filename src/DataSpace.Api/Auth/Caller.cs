using System.Security.Claims;

namespace DataSpace.Api.Auth;

/// <summary>Claim types our token handler issues, and typed access to them.</summary>
internal static class Caller
{
    public const string OrganizationIdClaim = "org_id";
    public const string ClientIdClaim = "client_id";
    public const string ScopeClaim = "scope";

    /// <summary>The person signed in to the console (absent for API clients).</summary>
    public const string UserIdClaim = "user_id";

    /// <summary>The console role of that person inside the organisation (<see cref="ConsoleRoles"/>).</summary>
    public const string ConsoleRoleClaim = "console_role";

    /// <summary>The console session's synchronizer token, which unsafe requests must echo (<see cref="CsrfProtection"/>).</summary>
    public const string CsrfClaim = "csrf";

    public static Guid OrganizationId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(OrganizationIdClaim) ?? throw new InvalidOperationException("The caller has no organisation claim."));

    public static string ClientId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClientIdClaim) ?? throw new InvalidOperationException("The caller has no client claim.");

    public static IReadOnlyList<string> Scopes(this ClaimsPrincipal user) =>
        [.. user.FindAll(ScopeClaim).Select(c => c.Value)];

    public static Guid? UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(UserIdClaim) is { } id ? Guid.Parse(id) : null;

    public static bool HasRole(this ClaimsPrincipal user, string role) => user.IsInRole(role);
}
