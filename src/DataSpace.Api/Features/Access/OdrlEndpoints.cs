using System.Globalization;
using System.Text.Json.Nodes;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Orders;
using DataSpace.Contracts.Access;

namespace DataSpace.Api.Features.Access;

/// <summary>
/// A dataset's usage policy as ODRL 2.2 JSON-LD for data-space peers: one <c>odrl:Offer</c> per active plan (one for a
/// free dataset), in the compact form of the Dataspace Protocol 2025-1 ODRL profile context, so that the Offer validates
/// against that protocol's contract schema.
/// </summary>
internal static class OdrlEndpoints
{
    /// <summary>The Dataspace Protocol 2025-1 ODRL profile context (stored under interop/dsp-2025-1/ for offline checks).</summary>
    public const string Context = "https://w3id.org/dspace/2025/1/odrl-profile.jsonld";

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

    private static async Task<IResult> Get(string id, HttpContext http, DatasetStore datasets, OrderStore orders, AccessGate gate, Terms.TermsStore terms, CancellationToken ct)
    {
        var (dataset, problem) = await DatasetEndpoints.FindVisibleAsync(id, http, datasets, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var current = await terms.CurrentAsync(dataset.Id, ct);
        var policy = current?.Policy is { } json ? UsagePolicies.FromJson(json) : null;
        var approval = await gate.PolicyOfAsync(dataset, ct) == AccessGate.Approval;
        var target = $"{http.Request.Scheme}://{http.Request.Host}/v1/datasets/{dataset.Id}";
        var plans = dataset.Access == "paid" ? await orders.PlansAsync(dataset.Id, true, null, 100, ct) : [];
        var offers = new JsonArray();
        if (dataset.Access != "paid")
        {
            offers.Add(Offer($"urn:uuid:{dataset.Id}", target, dataset.OwnerId, policy, approval, null));
        }

        foreach (var plan in plans)
        {
            offers.Add(Offer($"urn:uuid:{plan.Id}", target, dataset.OwnerId, policy, approval, plan));
        }

        var document = new JsonObject { ["@context"] = Context, ["@graph"] = offers };
        return TypedResults.Text(document.ToJsonString(), MediaType);
    }

    /// <summary>One Offer; the terms' policy hash identifies the policy the offer expresses.</summary>
    internal static JsonObject Offer(string offerId, string target, Guid assigner, UsagePolicy? policy, bool approval, OrderStore.PlanRow? plan)
    {
        var p = policy?.Permission;
        var constraints = new JsonArray();
        void Add(string left, string op, JsonNode right) =>
            constraints.Add(new JsonObject { ["leftOperand"] = left, ["operator"] = op, ["rightOperand"] = right });

        if (p?.Purposes is { } purposes)
        {
            Add("odrl:purpose", "isAnyOf", new JsonArray([.. purposes.Select(x => (JsonNode)JsonValue.Create(x)!)]));
        }

        if (p?.ValidFrom is { } from)
        {
            Add("odrl:dateTime", "gteq", Instant(from));
        }

        if (p?.ValidUntil is { } until)
        {
            Add("odrl:dateTime", "lt", Instant(until));
        }

        if (p?.MaxCompleteDownloads is { } max)
        {
            Add("odrl:count", "lteq", max.ToString(CultureInfo.InvariantCulture));
        }

        if (p?.Versions is { } versions)
        {
            Add("odrl:version", "isAnyOf", new JsonArray([.. versions.Select(v => (JsonNode)JsonValue.Create(v.ToString(CultureInfo.InvariantCulture))!)]));
        }

        if (plan?.Period is { } period)
        {
            Add("odrl:elapsedTime", "lteq", period);
        }

        var duties = new JsonArray();
        foreach (var duty in policy?.Duties ?? [])
        {
            duties.Add(new JsonObject { ["action"] = duty == "attribution" ? "odrl:attribute" : "odrl:inform" });
        }

        if (approval)
        {
            duties.Add(new JsonObject { ["action"] = "odrl:obtainConsent" });
        }

        if (plan is not null)
        {
            duties.Add(new JsonObject
            {
                ["action"] = "odrl:compensate",
                ["constraint"] = new JsonArray(new JsonObject
                {
                    ["leftOperand"] = "odrl:payAmount", ["operator"] = "eq",
                    ["rightOperand"] = (plan.PriceFen / 100m).ToString("0.00", CultureInfo.InvariantCulture) + " CNY",
                }),
            });
        }

        var permission = new JsonObject { ["action"] = "use" };
        var assignees = (p?.AssigneeOrganizations ?? []).Select(o => $"urn:uuid:{o}").Concat((p?.AssigneeRoles ?? []).Select(r => $"urn:dataspace:role:{r}")).ToList();
        if (assignees.Count > 0)
        {
            permission["assignee"] = new JsonArray([.. assignees.Select(a => (JsonNode)JsonValue.Create(a)!)]);
        }

        if (constraints.Count > 0)
        {
            permission["constraint"] = constraints;
        }

        if (duties.Count > 0)
        {
            permission["duty"] = duties;
        }

        var offer = new JsonObject
        {
            ["@id"] = offerId,
            ["@type"] = "Offer",
            ["target"] = target,
            ["assigner"] = $"urn:uuid:{assigner}",
            ["permission"] = new JsonArray(permission),
        };
        if (policy?.Prohibitions is { Count: > 0 } prohibitions)
        {
            offer["prohibition"] = new JsonArray([.. prohibitions.Select(x => (JsonNode)new JsonObject
            {
                ["action"] = x switch
                {
                    "resale" => "odrl:sell",
                    "onward_transfer" => "odrl:distribute",
                    _ => "urn:dataspace:action:reidentify",
                },
            })]);
        }

        return offer;
    }

    private static string Instant(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
