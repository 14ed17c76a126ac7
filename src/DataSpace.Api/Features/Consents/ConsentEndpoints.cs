using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Organizations;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Consents;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Consents;

internal static class ConsentEndpoints
{
    public static IEndpointRouteBuilder MapConsentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/consents").WithTags("Consents").RequireAuthorization(Policies.ConsentParty);
        group.MapPost("/", Grant).WithName("GrantConsent")
            .WithSummary("Grant the data bureau or an authority access to categories of your data, for named datasets or all, for a window (source units)")
            .RequireAuthorization(Policies.ConsentGrantor)
            .Idempotent()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", List).WithName("ListConsents")
            .WithSummary("Consents you granted or received (direction=granted|received), newest first")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", Get).WithName("GetConsent")
            .WithSummary("One consent, for its grantor and grantee")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/revoke", Revoke).WithName("RevokeConsent")
            .WithSummary("Revoke a consent; it stops working for the very next request (grantor)")
            .RequireAuthorization(Policies.ConsentGrantor)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>Checks that the grantee is a data bureau or authority other than the grantor; adds errors to <paramref name="v"/>.</summary>
    internal static async Task<OrganizationStore.OrganizationRow?> GranteeAsync(string? grantee, string field, Guid self, OrganizationStore organizations, Validation v, CancellationToken ct)
    {
        var row = Guid.TryParse(grantee, out var id) ? await organizations.FindAsync(id, ct) : null;
        if (row is null)
        {
            v.Add(field, "is not an organisation");
        }
        else if (row.Id == self)
        {
            v.Add(field, "must be another organisation: you cannot grant yourself consent");
        }
        else if (!row.Roles.Contains(Roles.DataBureau) && !row.Roles.Contains(Roles.Authority))
        {
            v.Add(field, "must be an organisation with role data_bureau or authority (Art. 11: the industry bureau, the data bureau and sector authorities)");
        }

        return row;
    }

    private static async Task<Results<Created<Consent>, ProblemHttpResult>> Grant(
        GrantConsentRequest request, HttpContext http, ConsentStore consents, OrganizationStore organizations, TimeProvider clock, CancellationToken ct)
    {
        var me = http.User.OrganizationId();
        var now = clock.GetUtcNow();
        var v = new Validation();
        var grantee = await GranteeAsync(request.Grantee, "grantee", me, organizations, v, ct);
        var terms = ConsentTerms.Read(request.Categories, request.AllDatasets, request.DatasetIds, request.Purpose, request.LegalBasis, request.ValidFrom, request.ValidUntil, now, v);
        if (terms is not null)
        {
            foreach (var missing in await consents.NotOwnedAsync(terms.DatasetIds, me, ct))
            {
                v.Add("dataset_ids", $"dataset '{missing}' is not one of yours");
            }
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var id = await consents.GrantAsync(me, grantee!.Id, terms!, null, now, AuditActor.From(http), ct);
        return TypedResults.Created($"/v1/consents/{id}", (await consents.FindAsync(id, ct))!.ToContract(now));
    }

    private static async Task<Results<Ok<Page<Consent>>, ProblemHttpResult>> List(
        HttpContext http, ConsentStore consents, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? direction = null, [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (direction is not (null or "granted" or "received"))
        {
            v.Add("direction", "must be granted or received");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var now = clock.GetUtcNow();
        var rows = await consents.ListAsync(http.User.OrganizationId(), direction, after, size + 1, ct);
        return TypedResults.Ok(new Page<Consent>([.. rows.Take(size).Select(r => r.ToContract(now))], rows.Count > size ? Paging.CursorFor(rows[size - 1].Id) : null));
    }

    private static async Task<(ConsentStore.ConsentRow? Row, ProblemHttpResult? Problem)> FindOwnAsync(string id, HttpContext http, ConsentStore consents, CancellationToken ct)
    {
        var me = http.User.OrganizationId();
        var row = Guid.TryParse(id, out var g) ? await consents.FindAsync(g, ct) : null;
        return row is not null && (row.GrantorId == me || row.GranteeId == me)
            ? (row, null)
            : (null, Problem.NotFound(ProblemCodes.ConsentNotFound, "Consent not found", $"No consent with id '{id}' was granted by or to you."));
    }

    private static async Task<Results<Ok<Consent>, ProblemHttpResult>> Get(string id, HttpContext http, ConsentStore consents, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await FindOwnAsync(id, http, consents, ct);
        return row is null ? problem! : TypedResults.Ok(row.ToContract(clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<Consent>, ProblemHttpResult>> Revoke(
        string id, RevokeConsentRequest request, HttpContext http, ConsentStore consents, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await FindOwnAsync(id, http, consents, ct);
        if (row is null)
        {
            return problem!;
        }

        if (row.GrantorId != http.User.OrganizationId())
        {
            return Problem.Of(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "Only the grantor revokes a consent", "Consents are the unit's to give and take back.");
        }

        var v = new Validation();
        var reason = v.RequiredText("reason", request.Reason, 2000, multiline: true);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var now = clock.GetUtcNow();
        return await consents.RevokeAsync(row.Id, row.GrantorId, reason, now, AuditActor.From(http), ct)
            ? TypedResults.Ok((await consents.FindAsync(row.Id, ct))!.ToContract(now))
            : Problem.Conflict(ProblemCodes.ConsentAlreadyRevoked, "The consent is already revoked", $"It was revoked at {row.RevokedAt:yyyy-MM-ddTHH:mm:ssZ}.");
    }
}
