using System.Security.Claims;

namespace DataSpace.Api.Auth;

/// <summary>Claim types our token handler issues, and typed access to them.</summary>
internal static class Caller
{
    public const string OrganizationIdClaim = "org_id";
    public const string ClientIdClaim = "client_id";
    public const string ScopeClaim = "scope";

    public static Guid OrganizationId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(OrganizationIdClaim) ?? throw new InvalidOperationException("The caller has no organisation claim."));

    public static string ClientId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClientIdClaim) ?? throw new InvalidOperationException("The caller has no client claim.");

    public static IReadOnlyList<string> Scopes(this ClaimsPrincipal user) =>
        [.. user.FindAll(ScopeClaim).Select(c => c.Value)];

    public static bool HasRole(this ClaimsPrincipal user, string role) => user.IsInRole(role);
}
