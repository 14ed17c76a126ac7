using System.Text.Json.Nodes;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Orders;
using DataSpace.Api.Features.Tokens;
using DataSpace.Api.Odrl;
using DataSpace.Contracts.Datasets;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Features.Access;

/// <summary>
/// A dataset's usage policy as ODRL 2.2 JSON-LD for data-space peers: one <c>odrl:Offer</c> per active plan (one for a
/// free dataset), in the compact form of the Dataspace Protocol 2025-1 ODRL profile context, so that the Offer validates
/// against that protocol's contract schema.
/// </summary>
internal static class OdrlEndpoints
{
    public const string MediaType = "application/ld+json";

    public static IEndpointRouteBuilder MapOdrlEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/datasets/{id}/odrl", Get).WithTags("Access").WithName("GetOdrlOffers")
            .WithSummary("The dataset's offers as ODRL 2.2 JSON-LD (@graph of odrl:Offer, one per active plan or one for a free dataset): " +
                "permission constraints (assignee, purpose, period, count, versions, subscription period), duties (attribution, inform, compensate, " +
                "obtainConsent under approval) and prohibitions (sell, distribute, re-identify)")
            .RequireAuthorization(Policies.Catalog)
            .Produces(StatusCodes.Status200OK, contentType: MediaType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> Get(
        string id, HttpContext http, DatasetAccess datasets, OrderStore orders, AccessGate gate, Terms.TermsStore terms, IOptions<TokenOptions> tokens, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var current = await terms.CurrentAsync(dataset.Id, ct);
        var approval = await gate.PolicyOfAsync(dataset, ct) == AccessGate.Approval;
        // The dataset's IRI as the DCAT feed names it, so that a harvester matches the offers of both documents.
        var target = $"{tokens.Value.IssuerFor(http)}/v1/datasets/{dataset.Id}";
        var plans = dataset.Access == AccessModes.Paid ? await orders.PlansAsync(dataset.Id, true, null, 100, ct) : [];
        var offers = OdrlOffers.For(dataset.Id, dataset.Access, target, dataset.OwnerId, current?.Policy is { } json ? UsagePolicies.FromJson(json) : null, approval,
            [.. plans.Select(p => new OdrlOffers.Plan(p.Id, p.PriceFen, p.Period))]);
        var document = new JsonObject { ["@context"] = OdrlOffers.Context, ["@graph"] = new JsonArray([.. offers]) };
        return TypedResults.Text(document.ToJsonString(), MediaType);
    }
}
