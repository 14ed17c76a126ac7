using DataSpace.Api.Problems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace DataSpace.Api.Auth;

/// <summary>
/// Turns an authorization failure into a 403 problem that says which part failed: the organisation lacks the role
/// (<c>role_required</c>) or the token lacks the scope (<c>insufficient_scope</c>, with the RFC 6750 challenge).
/// </summary>
internal sealed class ForbiddenAsProblem(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var failed = authorizeResult.AuthorizationFailure?.FailedRequirements.ToList() ?? [];
        var role = failed.OfType<RolesAuthorizationRequirement>().FirstOrDefault();
        var scope = failed.OfType<ScopeRequirement>().FirstOrDefault();
        var consoleRole = failed.OfType<ClaimsAuthorizationRequirement>().FirstOrDefault(c => c.ClaimType == Caller.ConsoleRoleClaim);
        string code, title, detail;
        if (role is not null)
        {
            code = ProblemCodes.RoleRequired;
            title = "Your organisation's roles do not allow this";
            detail = $"This operation is for organisations with role {string.Join(" or ", role.AllowedRoles)}.";
        }
        else if (scope is not null)
        {
            code = ProblemCodes.InsufficientScope;
            title = "The access token lacks a required scope";
            detail = $"Request a token with scope '{scope.Scope}' (the client must be allowed that scope).";
            context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"dataspace\", error=\"{ProblemCodes.InsufficientScope}\", scope=\"{scope.Scope}\"";
        }
        else if (consoleRole is not null)
        {
            code = ProblemCodes.Forbidden;
            title = "Only an admin of your organisation may do this";
            detail = "Managing users is for people signed in to the console as their organisation's admin.";
        }
        else
        {
            code = ProblemCodes.Forbidden;
            title = "Forbidden";
            detail = "You are not allowed to perform this operation.";
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = 403, Title = title, Detail = detail, Extensions = { ["code"] = code } },
        });
    }
}
