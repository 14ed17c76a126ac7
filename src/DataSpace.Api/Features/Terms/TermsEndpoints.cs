using DataSpace.Api.Auth;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Access;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Orders;

namespace DataSpace.Api.Features.Terms;

internal static class TermsEndpoints
{
    public static IEndpointRouteBuilder MapTermsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/datasets/{id}").WithTags("Terms").RequireAuthorization(Policies.Catalog);
        group.MapPut("/terms", Set).WithName("SetTerms")
            .WithSummary("Set a new version of the dataset's data use agreement, optionally with a machine-readable usage policy enforced on every read; consumers must accept it again (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/terms", Get).WithName("GetTerms")
            .WithSummary("The current data use agreement, its version and hash")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/agreements", Accept).WithName("AcceptTerms")
            .WithSummary("Accept the current data use agreement (needed to order and to download a paid dataset), declaring the purpose the usage policy is checked against")
            .RequireAuthorization(Policies.Buyer)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Results<Ok<DatasetTerms>, ProblemHttpResult>> Set(
        string id, SetTermsRequest request, HttpContext http, DatasetAccess datasets, TermsStore terms, AccessGate access, TimeProvider clock, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var v = new Validation();
        var text = v.RequiredText("text", request.Text, 50_000, multiline: true);
        var policy = UsagePolicies.Normalize(request.Policy, v, "policy");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        if (policy is not null && await access.PolicyOfAsync(dataset, ct) == AccessGate.Open)
        {
            return Problem.Conflict(ProblemCodes.PolicyNeedsGatedAccess, "An open dataset cannot enforce a usage policy",
                "Anyone may download an open dataset without an agreement, so no purpose is declared to check. Put it behind approval " +
                $"(PUT /v1/datasets/{dataset.Id}/access-policy) first.");
        }

        var row = await terms.SetAsync(dataset.Id, dataset.OwnerId, text, policy is null ? null : UsagePolicies.ToJson(policy), clock.GetUtcNow(), AuditActor.From(http), ct);
        return TypedResults.Ok(row.ToContract());
    }

    private static async Task<Results<Ok<DatasetTerms>, ProblemHttpResult>> Get(string id, HttpContext http, DatasetAccess datasets, TermsStore terms, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var current = await terms.CurrentAsync(dataset.Id, ct);
        return current is null
            ? Problem.NotFound(ProblemCodes.TermsNotFound, "The dataset has no data use agreement yet", "Its owner sets one with PUT /v1/datasets/{id}/terms.")
            : TypedResults.Ok(current.ToContract());
    }

    private static async Task<Results<Created<Agreement>, ProblemHttpResult>> Accept(
        string id, AcceptTermsRequest request, HttpContext http, DatasetAccess datasets, TermsStore terms, TimeProvider clock, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var v = new Validation();
        if (request.TermsVersion is null)
        {
            v.Add("terms_version", "is required: the version of the terms you accept");
        }

        if (request.Purpose is { } purpose && !UsagePolicies.Purposes.Contains(purpose))
        {
            v.Add("purpose", $"must be among {string.Join(", ", UsagePolicies.Purposes)}");
        }

        if (!v.IsValid || request.TermsVersion is not { } version)
        {
            return v.ToProblem();
        }

        var current = await terms.CurrentAsync(dataset.Id, ct);
        if (current is null)
        {
            return Problem.NotFound(ProblemCodes.TermsNotFound, "The dataset has no data use agreement yet");
        }

        if (current.Version != version)
        {
            return Problem.Conflict(ProblemCodes.TermsOutdated, "That is not the current version of the terms",
                $"The current version is {current.Version} (sha-256 {current.Sha256}); read it and accept that one.");
        }

        var at = await terms.AcceptAsync(dataset.Id, dataset.OwnerId, version, http.User.OrganizationId(), http.User.ClientId(), request.Purpose, clock.GetUtcNow(), AuditActor.From(http), ct);
        return TypedResults.Created($"/v1/datasets/{dataset.Id}/terms",
            new Agreement(dataset.Id.ToString(), version, current.Sha256, http.User.OrganizationId().ToString(), http.User.ClientId(), Timestamps.Utc(at.AcceptedAt),
                at.Purpose, at.PolicySha256));
    }
}
