using System.Globalization;
using System.Text.Json.Nodes;
using DataSpace.Contracts.Access;
using DataSpace.Contracts.Datasets;

namespace DataSpace.Api.Odrl;

/// <summary>
/// A dataset's usage policy as ODRL 2.2 offers, built once for every document that states it: the Access feature's
/// <c>/odrl</c> document (compact JSON-LD in the Dataspace Protocol 2025-1 profile context) and the Interop feature's
/// DCAT feed (the same offers as triples, <see cref="Triples"/>).
/// </summary>
internal static class OdrlOffers
{
    /// <summary>The Dataspace Protocol 2025-1 ODRL profile context (stored under interop/dsp-2025-1/ for offline checks).</summary>
    public const string Context = "https://w3id.org/dspace/2025/1/odrl-profile.jsonld";

    public const string Namespace = "http://www.w3.org/ns/odrl/2/";

    /// <summary>What an offer states of a plan: its id, price and subscription period.</summary>
    public sealed record Plan(Guid Id, long PriceFen, string? Period);

    /// <summary>The offers of a dataset: one per active plan of a paid dataset, one (with the dataset's id) for a free one.</summary>
    public static IReadOnlyList<JsonObject> For(
        Guid datasetId, string access, string target, Guid owner, UsagePolicy? policy, bool approval, IReadOnlyList<Plan> activePlans) =>
        access == AccessModes.Paid
            ? [.. activePlans.Select(plan => Offer($"urn:uuid:{plan.Id}", target, owner, policy, approval, plan))]
            : [Offer($"urn:uuid:{datasetId}", target, owner, policy, approval, null)];

    /// <summary>One Offer; the terms' policy hash identifies the policy the offer expresses.</summary>
    private static JsonObject Offer(string offerId, string target, Guid assigner, UsagePolicy? policy, bool approval, Plan? plan)
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

    /// <summary>A triple of an offer: a compact <c>odrl:</c> predicate (or <c>a</c> for rdf:type) and an IRI or a plain literal.</summary>
    public readonly record struct Triple(string Subject, string Predicate, string? Iri, string? Literal);

    /// <summary>Terms of the profile context whose values are nodes (nested rules and constraints).</summary>
    private static readonly HashSet<string> Nested = new(StringComparer.Ordinal) { "permission", "prohibition", "duty", "constraint" };

    /// <summary>Terms whose values are IRIs (<c>@id</c>) or vocabulary terms (<c>@vocab</c>) in the profile context.</summary>
    private static readonly HashSet<string> IriValued = new(StringComparer.Ordinal) { "target", "assigner", "assignee", "action", "leftOperand", "operator" };

    /// <summary>
    /// The triples of an <see cref="Offer"/>, read with the profile context's term definitions (every term used here maps
    /// into the ODRL namespace). Rules and constraints get IRIs under the offer's (<c>#permission-0-constraint-1</c>)
    /// instead of blank nodes, so that two serialisations of one page compare triple by triple. The offer is typed
    /// odrl:Policy as well, since readers without inference (the DCAT-AP shapes) look for that class.
    /// </summary>
    public static IReadOnlyList<Triple> Triples(JsonObject offer)
    {
        var triples = new List<Triple>();
        var id = (string)offer["@id"]!;
        triples.Add(new(id, "a", Namespace + (string)offer["@type"]!, null));
        triples.Add(new(id, "a", Namespace + "Policy", null));
        Walk(id, id + "#", offer, triples);
        return triples;
    }

    private static void Walk(string subject, string prefix, JsonObject node, List<Triple> triples)
    {
        foreach (var (key, value) in node)
        {
            if (key.StartsWith('@'))
            {
                continue;
            }

            var values = value is JsonArray array ? [.. array] : new List<JsonNode?> { value };
            for (var i = 0; i < values.Count; i++)
            {
                if (Nested.Contains(key))
                {
                    var child = $"{prefix}{key}-{i}";
                    triples.Add(new(subject, "odrl:" + key, child, null));
                    Walk(child, child + "-", values[i]!.AsObject(), triples);
                }
                else if (IriValued.Contains(key))
                {
                    triples.Add(new(subject, "odrl:" + key, Expand((string)values[i]!), null));
                }
                else
                {
                    triples.Add(new(subject, "odrl:" + key, null, (string)values[i]!));
                }
            }
        }
    }

    /// <summary>odrl:x and the context's bare terms (use, eq, isAnyOf, …) into the ODRL namespace; absolute IRIs stay.</summary>
    private static string Expand(string value) =>
        value.StartsWith("odrl:", StringComparison.Ordinal) ? Namespace + value[5..]
        : value.Contains(':', StringComparison.Ordinal) ? value
        : Namespace + value;
}
