using DataSpace.Api.Auth;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Organizations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Organizations;

internal static class OrganizationEndpoints
{
    public static RouteGroupBuilder MapOrganizationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/organizations").WithTags("Organizations").RequireAuthorization();

        group.MapGet("/me", GetMe).WithName("GetMyOrganization")
            .WithSummary("The organisation, client and scopes behind the presented token")
            .RequireAuthorization(Policies.Member);
        group.MapPost("/", CreateOrganization).WithName("CreateOrganization")
            .WithSummary("Register an organisation (operator)")
            .RequireAuthorization(Policies.Operator)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListOrganizations).WithName("ListOrganizations")
            .WithSummary("List organisations in a stable order (by time-ordered id), filtered by role (operator)")
            .RequireAuthorization(Policies.Operator)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", GetOrganization).WithName("GetOrganization")
            .WithSummary("One organisation (operator)")
            .RequireAuthorization(Policies.Operator)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Ok<CallerIdentity>, ProblemHttpResult>> GetMe(HttpContext http, OrganizationStore store, CancellationToken ct)
    {
        var row = await store.FindAsync(http.User.OrganizationId(), ct);
        return row is null
            ? Problem.NotFound(ProblemCodes.OrganizationNotFound, "Organisation not found")
            : TypedResults.Ok(new CallerIdentity(row.ToContract(), http.User.ClientId(), http.User.Scopes()));
    }

    private static async Task<Results<Created<Organization>, ProblemHttpResult>> CreateOrganization(
        CreateOrganizationRequest request, HttpContext http, OrganizationStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.RequiredText("name", request.Name, 200);
        var uscc = request.UnifiedSocialCreditCode?.Trim().ToUpperInvariant();
        if (UnifiedSocialCreditCode.Problem(uscc) is { } usccProblem)
        {
            v.Add("unified_social_credit_code", usccProblem);
        }

        var roles = request.Roles ?? [];
        if (roles.Count == 0)
        {
            v.Add("roles", $"must name at least one of: {string.Join(", ", Roles.All)}");
        }

        foreach (var role in roles.Where(r => !Roles.All.Contains(r)))
        {
            v.Add("roles", $"'{role}' is not a role; use {string.Join(", ", Roles.All)}");
        }

        if (roles.Distinct(StringComparer.Ordinal).Count() != roles.Count)
        {
            v.Add("roles", "must not repeat a role");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var row = await store.CreateAsync(name, uscc!, [.. roles], clock.GetUtcNow(), Audit.AuditActor.From(http), ct);
        return row is null
            ? await ExistingAsync(store, uscc!, ct)
            : TypedResults.Created($"/v1/organizations/{row.Id}", row.ToContract());
    }

    /// <summary>The 409 names the existing organisation's id, so a script that registers twice can carry on with it.</summary>
    private static async Task<ProblemHttpResult> ExistingAsync(OrganizationStore store, string uscc, CancellationToken ct) =>
        Problem.Of(StatusCodes.Status409Conflict, ProblemCodes.OrganizationExists, "An organisation with this credit code is already registered",
            $"unified_social_credit_code {uscc} belongs to an existing organisation.",
            await store.FindIdByCreditCodeAsync(uscc, ct) is { } existing
                ? new Dictionary<string, object?> { ["organization_id"] = existing.ToString() }
                : null);

    private static async Task<Results<Ok<Page<Organization>>, ProblemHttpResult>> ListOrganizations(
        OrganizationStore store, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null, [FromQuery] string? role = null)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (role is not null && !Roles.All.Contains(role))
        {
            v.Add("role", $"'{role}' is not a role; use {string.Join(", ", Roles.All)}");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var rows = await store.ListAsync(after, role, size + 1, ct);
        var page = rows.Take(size).Select(r => r.ToContract()).ToList();
        var next = rows.Count > size ? Paging.CursorFor(rows[size - 1].Id) : null;
        return TypedResults.Ok(new Page<Organization>(page, next));
    }

    private static async Task<Results<Ok<Organization>, ProblemHttpResult>> GetOrganization(string id, OrganizationStore store, CancellationToken ct)
    {
        var row = Guid.TryParse(id, out var guid) ? await store.FindAsync(guid, ct) : null;
        return row is null
            ? Problem.NotFound(ProblemCodes.OrganizationNotFound, "Organisation not found", $"No organisation has id '{id}'.")
            : TypedResults.Ok(row.ToContract());
    }
}
