using DataSpace.Api.Auth;
using DataSpace.Api.Features.Organizations;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Clients;
using DataSpace.Contracts.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Clients;

internal static class ClientEndpoints
{
    public static IEndpointRouteBuilder MapClientEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Clients").RequireAuthorization(Policies.Operator);

        group.MapPost("/organizations/{id}/clients", CreateClient).WithName("CreateClient")
            .WithSummary("Create an API client for an organisation; its secret is shown only in this response (operator)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/organizations/{id}/clients", ListClients).WithName("ListClients")
            .WithSummary("An organisation's API clients, without secrets, in client id order (operator)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/clients/{clientId}", DisableClient).WithName("DisableClient")
            .WithSummary("Disable a client and revoke all its tokens at once (operator)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Created<CreatedClient>, ProblemHttpResult>> CreateClient(
        string id, CreateClientRequest request, HttpContext http, OrganizationStore organizations, ClientStore clients, TimeProvider clock, CancellationToken ct)
    {
        var organization = Guid.TryParse(id, out var orgId) ? await organizations.FindAsync(orgId, ct) : null;
        if (organization is null)
        {
            return Problem.NotFound(ProblemCodes.OrganizationNotFound, "Organisation not found", $"No organisation has id '{id}'.");
        }

        var v = new Validation();
        var name = v.RequiredText("name", request.Name, 200);
        var allowed = Scopes.AllowedFor(organization.Roles);
        var scopes = request.Scopes ?? allowed;
        if (scopes.Count == 0)
        {
            v.Add("scopes", "must name at least one scope");
        }

        foreach (var scope in scopes.Where(s => !allowed.Contains(s)))
        {
            v.Add("scopes", Scopes.All.Contains(scope)
                ? $"'{scope}' is not allowed for an organisation with roles {string.Join(", ", organization.Roles)}; allowed: {string.Join(" ", allowed)}"
                : $"'{scope}' is not a scope; scopes are {string.Join(" ", Scopes.All)}");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var secret = Secrets.NewClientSecret();
        var row = await clients.CreateAsync(orgId, Secrets.NewClientId(), name, Secrets.Sha256(secret),
            [.. scopes.Distinct(StringComparer.Ordinal)], clock.GetUtcNow(), Audit.AuditActor.From(http), ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/v1/organizations/{orgId}/clients",
            new CreatedClient(row.ClientId, secret, row.OrganizationId.ToString(), row.Name, row.Scopes, new DateTimeOffset(row.CreatedAt, TimeSpan.Zero)));
    }

    private static async Task<Results<Ok<Page<ApiClient>>, ProblemHttpResult>> ListClients(
        string id, OrganizationStore organizations, ClientStore clients, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var v = new Validation();
        var (after, size) = Paging.ReadText(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var organization = Guid.TryParse(id, out var orgId) ? await organizations.FindAsync(orgId, ct) : null;
        if (organization is null)
        {
            return Problem.NotFound(ProblemCodes.OrganizationNotFound, "Organisation not found", $"No organisation has id '{id}'.");
        }

        var rows = await clients.ListAsync(orgId, after, size + 1, ct);
        return TypedResults.Ok(Paging.PageOf(rows, size, r => r.ToContract(), r => Paging.CursorFor(r.ClientId)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisableClient(string clientId, HttpContext http, ClientStore clients, TimeProvider clock, CancellationToken ct) =>
        await clients.DisableAsync(clientId, clock.GetUtcNow(), Audit.AuditActor.From(http), ct)
            ? TypedResults.NoContent()
            : Problem.NotFound(ProblemCodes.ClientNotFound, "Client not found", $"No client has id '{clientId}'.");
}
