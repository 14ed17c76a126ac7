using Microsoft.AspNetCore.Authorization;

namespace DataSpace.Api.Auth;

/// <summary>Named authorization policies: a role of the caller's organisation AND a scope of its token.</summary>
internal static class Policies
{
    public const string Operator = "operator";
    public const string Member = "member";

    /// <summary>Any organisation, token with scope catalog: browse, read, download.</summary>
    public const string Catalog = "catalog";

    /// <summary>Any organisation with scope webhooks: its outbound webhook endpoints, secrets and delivery log.</summary>
    public const string WebhookManager = "webhook-manager";

    /// <summary>Source units with scope publish: register datasets, upload versions, publish.</summary>
    public const string Publisher = "publisher";

    /// <summary>Source units with scope consents: grant, revoke, answer requests.</summary>
    public const string ConsentGrantor = "consent-grantor";

    /// <summary>The data bureau and authorities with scope consents: ask for consent, read under it.</summary>
    public const string ConsentGrantee = "consent-grantee";

    /// <summary>The data bureau with scope rewards: policies, runs, approval, exports.</summary>
    public const string RewardsBureau = "rewards-bureau";

    /// <summary>The bureau or a source unit with scope rewards (units read their own lines of approved runs).</summary>
    public const string RewardsReader = "rewards-reader";

    /// <summary>Model builders with scope orders: accept terms, order, hold entitlements.</summary>
    public const string Buyer = "buyer";

    /// <summary>Any organisation with scope audit: the trail about its own data, and chain verification.</summary>
    public const string Auditor = "auditor";

    /// <summary>The operator or the data bureau with scope audit: signs an audit checkpoint on demand.</summary>
    public const string AuditAnchor = "audit-anchor";

    /// <summary>Source units with scope records: their data-asset, DCMM and pilot records.</summary>
    public const string RecordKeeper = "record-keeper";

    /// <summary>The data bureau with scope records: review queues, verification, record policies and exports.</summary>
    public const string RecordsBureau = "records-bureau";

    /// <summary>A source unit (its own records) or the bureau (what was submitted to it), with scope records.</summary>
    public const string RecordsReader = "records-reader";

    /// <summary>Registered third-party assessors with scope records: their invitations and reports.</summary>
    public const string Assessor = "assessor";

    /// <summary>The operator (scope admin) or the data bureau (scope records): the listing review, its notices and objections.</summary>
    public const string ListingReviewer = "listing-reviewer";

    /// <summary>Either side of a consent.</summary>
    public const string ConsentParty = "consent-party";

    /// <summary>A person signed in to the console as their organisation's admin: invites and removes its users.</summary>
    public const string UserAdmin = "user-admin";

    public static IServiceCollection AddDataSpaceAuthorization(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(ConsoleSessions.SchemeName).RequireAuthenticatedUser().Build())
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(ConsoleSessions.SchemeName).RequireAuthenticatedUser().Build())
            .AddPolicy(Member, p => p.AddAuthenticationSchemes(ConsoleSessions.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(Operator, p => RoleAndScope(p, Scopes.Admin, Roles.Operator))
            .AddPolicy(Catalog, p => RoleAndScope(p, Scopes.Catalog, [.. Roles.All]))
            .AddPolicy(WebhookManager, p => RoleAndScope(p, Scopes.Webhooks, [.. Roles.All]))
            .AddPolicy(Publisher, p => RoleAndScope(p, Scopes.Publish, Roles.SourceUnit))
            .AddPolicy(RewardsBureau, p => RoleAndScope(p, Scopes.Rewards, Roles.DataBureau))
            .AddPolicy(RewardsReader, p => RoleAndScope(p, Scopes.Rewards, Roles.DataBureau, Roles.SourceUnit))
            .AddPolicy(Buyer, p => RoleAndScope(p, Scopes.Orders, Roles.ModelBuilder))
            .AddPolicy(Auditor, p => RoleAndScope(p, Scopes.Audit, [.. Roles.All]))
            .AddPolicy(AuditAnchor, p => RoleAndScope(p, Scopes.Audit, Roles.Operator, Roles.DataBureau))
            .AddPolicy(ConsentGrantor, p => RoleAndScope(p, Scopes.Consents, Roles.SourceUnit))
            .AddPolicy(ConsentGrantee, p => RoleAndScope(p, Scopes.Consents, [.. Roles.ConsentGrantees]))
            .AddPolicy(RecordKeeper, p => RoleAndScope(p, Scopes.Records, Roles.SourceUnit))
            .AddPolicy(RecordsBureau, p => RoleAndScope(p, Scopes.Records, Roles.DataBureau))
            .AddPolicy(RecordsReader, p => RoleAndScope(p, Scopes.Records, Roles.SourceUnit, Roles.DataBureau))
            .AddPolicy(Assessor, p => RoleAndScope(p, Scopes.Records, Roles.Assessor))
            .AddPolicy(ListingReviewer, p => p.AddAuthenticationSchemes(ConsoleSessions.SchemeName).RequireAuthenticatedUser()
                .RequireRole(Roles.Operator, Roles.DataBureau).AddRequirements(new AnyScopeRequirement(Scopes.Admin, Scopes.Records)))
            .AddPolicy(ConsentParty, p => RoleAndScope(p, Scopes.Consents, Roles.SourceUnit, Roles.DataBureau, Roles.Authority))
            .AddPolicy(UserAdmin, p => p.AddAuthenticationSchemes(ConsoleSessions.SchemeName).RequireAuthenticatedUser()
                .RequireClaim(Caller.ConsoleRoleClaim, ConsoleRoles.Admin));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenAsProblem>();
        return services;
    }

    private static void RoleAndScope(AuthorizationPolicyBuilder policy, string scope, params string[] roles) =>
        policy.AddAuthenticationSchemes(ConsoleSessions.SchemeName)
            .RequireAuthenticatedUser()
            .RequireRole(roles)
            .AddRequirements(new ScopeRequirement(scope));
}

/// <summary>The token must carry this scope.</summary>
internal sealed class ScopeRequirement(string scope) : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    public string Scope { get; } = scope;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasClaim(Caller.ScopeClaim, requirement.Scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>The token must carry one of these scopes (for policies that several roles reach through different scopes).</summary>
internal sealed class AnyScopeRequirement(params string[] scopes) : AuthorizationHandler<AnyScopeRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AnyScopeRequirement requirement)
    {
        if (scopes.Any(s => context.User.HasClaim(Caller.ScopeClaim, s)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
