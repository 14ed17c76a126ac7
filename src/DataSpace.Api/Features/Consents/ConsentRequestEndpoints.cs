using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Organizations;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Consents;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Features.Consents;

internal static class ConsentRequestEndpoints
{
    public static IEndpointRouteBuilder MapConsentRequestEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/consent-requests").WithTags("Consents").RequireAuthorization(Policies.ConsentParty);
        group.MapPost("/", Create).WithName("RequestConsent")
            .WithSummary("Ask a source unit for consent (data bureau and authorities); the request expires if unanswered")
            .RequireAuthorization(Policies.ConsentGrantee)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/", List).WithName("ListConsentRequests")
            .WithSummary("Requests you made or received, newest first")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", Get).WithName("GetConsentRequest")
            .WithSummary("One request, for the requester and the unit asked")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/approve", Approve).WithName("ApproveConsentRequest")
            .WithSummary("Approve a request, optionally narrowed (never widened); creates the consent (the unit asked)")
            .RequireAuthorization(Policies.ConsentGrantor)
            .Idempotent()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/reject", Reject).WithName("RejectConsentRequest")
            .WithSummary("Reject a request with a reason (the unit asked)")
            .RequireAuthorization(Policies.ConsentGrantor)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Results<Created<ConsentRequest>, ProblemHttpResult>> Create(
        CreateConsentRequestRequest request, HttpContext http, ConsentRequestStore requests, ConsentStore consents,
        OrganizationStore organizations, IOptions<ConsentOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var me = http.User.OrganizationId();
        var now = clock.GetUtcNow();
        var v = new Validation();
        var unit = Guid.TryParse(request.Unit, out var unitId) ? await organizations.FindAsync(unitId, ct) : null;
        if (unit is null || !unit.Roles.Contains(Roles.SourceUnit))
        {
            v.Add("unit", "is not a source unit");
        }

        var terms = ConsentTerms.Read(request.Categories, request.AllDatasets, request.DatasetIds, request.Purpose, request.LegalBasis, request.ValidFrom, request.ValidUntil, now, v);
        if (terms is not null && unit is not null)
        {
            foreach (var missing in await consents.NotOwnedAsync(terms.DatasetIds, unit.Id, ct))
            {
                v.Add("dataset_ids", $"dataset '{missing}' is not one of the unit's");
            }
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var id = await requests.CreateAsync(me, unit!.Id, terms!, now, now + options.Value.RequestLifetime, AuditActor.From(http), ct);
        return TypedResults.Created($"/v1/consent-requests/{id}", (await requests.FindAsync(id, ct))!.ToContract(now));
    }

    private static async Task<Results<Ok<Page<ConsentRequest>>, ProblemHttpResult>> List(
        HttpContext http, ConsentRequestStore requests, TimeProvider clock, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var now = clock.GetUtcNow();
        var rows = await requests.ListAsync(http.User.OrganizationId(), after, size + 1, ct);
        return TypedResults.Ok(new Page<ConsentRequest>([.. rows.Take(size).Select(r => r.ToContract(now))], rows.Count > size ? Paging.CursorFor(rows[size - 1].Id) : null));
    }

    /// <summary>A request visible to the caller: its requester or the unit asked. Anyone else gets 404.</summary>
    private static async Task<(ConsentRequestStore.RequestRow? Row, ProblemHttpResult? Problem)> FindAsync(string id, HttpContext http, ConsentRequestStore requests, bool unitOnly, CancellationToken ct)
    {
        var me = http.User.OrganizationId();
        var row = Guid.TryParse(id, out var g) ? await requests.FindAsync(g, ct) : null;
        return row is not null && (row.UnitId == me || (!unitOnly && row.RequesterId == me))
            ? (row, null)
            : (null, Problem.NotFound(ProblemCodes.ConsentRequestNotFound, "Consent request not found",
                unitOnly ? $"No request with id '{id}' was made to your organisation." : $"No request with id '{id}' concerns your organisation."));
    }

    private static async Task<Results<Ok<ConsentRequest>, ProblemHttpResult>> Get(string id, HttpContext http, ConsentRequestStore requests, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await FindAsync(id, http, requests, unitOnly: false, ct);
        return row is null ? problem! : TypedResults.Ok(row.ToContract(clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<ConsentRequest>, ProblemHttpResult>> Approve(
        string id, ApproveConsentRequestRequest body, HttpContext http, ConsentRequestStore requests, ConsentStore consents, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await FindAsync(id, http, requests, unitOnly: true, ct);
        if (row is null)
        {
            return problem!;
        }

        var now = clock.GetUtcNow();
        var asked = row.Terms();
        var v = new Validation();
        var categories = body.Categories is null ? asked.Categories : ConsentTerms.ReadCategories(body.Categories, v);
        var all = body.AllDatasets ?? (body.DatasetIds is null ? asked.AllDatasets : false);
        var datasets = body.AllDatasets is null && body.DatasetIds is null ? asked.DatasetIds : ConsentTerms.ReadDatasets(all, body.DatasetIds, v);
        var (from, until) = ConsentTerms.ReadWindow(body.ValidFrom ?? asked.ValidFrom, body.ValidUntil ?? asked.ValidUntil, now, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var granted = asked with { Categories = categories, AllDatasets = all, DatasetIds = datasets, ValidFrom = from, ValidUntil = until };
        if (granted.WidensBeyond(asked) is { } widened)
        {
            return Problem.Of(StatusCodes.Status400BadRequest, ProblemCodes.ConsentWidened, "An approval may narrow a request, never widen it",
                $"'{widened}' goes beyond what was requested.", new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [widened] = ["widens the request"] } });
        }

        foreach (var missing in await consents.NotOwnedAsync(granted.DatasetIds, row.UnitId, ct))
        {
            v.Add("dataset_ids", $"dataset '{missing}' is not one of yours");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var (outcome, _) = await requests.ApproveAsync(row, granted, now, AuditActor.From(http), ct);
        return outcome switch
        {
            ConsentRequestStore.Outcome.NotPending => Problem.Conflict(ProblemCodes.ConsentRequestNotPending, "The request was already answered", $"It is {row.Status}."),
            ConsentRequestStore.Outcome.Expired => Problem.Conflict(ProblemCodes.ConsentRequestExpired, "The request has expired", $"It expired at {row.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ}; the requester may ask again."),
            _ => TypedResults.Ok((await requests.FindAsync(row.Id, ct))!.ToContract(now)),
        };
    }

    private static async Task<Results<Ok<ConsentRequest>, ProblemHttpResult>> Reject(
        string id, RejectConsentRequestRequest body, HttpContext http, ConsentRequestStore requests, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await FindAsync(id, http, requests, unitOnly: true, ct);
        if (row is null)
        {
            return problem!;
        }

        var v = new Validation();
        var reason = v.RequiredText("reason", body.Reason, 2000, multiline: true);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var now = clock.GetUtcNow();
        return await requests.RejectAsync(row, reason, now, AuditActor.From(http), ct) switch
        {
            ConsentRequestStore.Outcome.NotPending => Problem.Conflict(ProblemCodes.ConsentRequestNotPending, "The request was already answered", $"It is {row.Status}."),
            ConsentRequestStore.Outcome.Expired => Problem.Conflict(ProblemCodes.ConsentRequestExpired, "The request has expired"),
            _ => TypedResults.Ok((await requests.FindAsync(row.Id, ct))!.ToContract(now)),
        };
    }
}
