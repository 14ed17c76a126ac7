using System.Text.Json.Nodes;

namespace DataSpace.Api.Tests.Features.Access;

/// <summary>
/// The ODRL form of usage policies, checked by tools nobody here wrote (tools/odrl-check.mjs): npm jsonld expands it to
/// http://www.w3.org/ns/odrl/2/ IRIs with the stored Dataspace Protocol 2025-1 context (no network) and round-trips
/// compact → expand → compact; ajv validates each Offer against the protocol's 2025-1 contract schema.
/// </summary>
public sealed class OdrlTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Odrl = "http://www.w3.org/ns/odrl/2/";

    private static async Task<JsonElement> Check(JsonNode document)
    {
        var file = Path.Combine(Path.GetTempPath(), $"dataspace-odrl-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document.ToJsonString(), Ct);
        try
        {
            var run = await NodeTool.RunAsync("jsonld", ["tools/odrl-check.mjs", file], Ct);
            Assert.True(run.ExitCode == 0, run.Stderr);
            return JsonDocument.Parse(run.Stdout).RootElement;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IEnumerable<string> Ids(JsonElement expanded, string property) =>
        expanded.EnumerateArray().SelectMany(n => n.TryGetProperty(property, out var v) ? v.EnumerateArray() : []).Select(v => v.GetProperty("@id").GetString()!);

    [Fact]
    public async Task Each_plan_is_an_odrl_Offer_that_expands_round_trips_and_validates_against_the_dataspace_protocol_schema()
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("ODRL数源单位", "source_unit"));
        var consumer = await api.ClientFor(await api.OrganizationAsync("ODRL模型方", "model_builder"));
        var dataset = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.jsonl"] = "{}\n"u8.ToArray() }, "paid");
        var until = api.Clock.GetUtcNow().AddYears(1);
        var terms = await (await owner.PutAsJsonAsync($"/v1/datasets/{dataset}/terms", new
        {
            text = "仅限内部模型训练，不得转售，最多下载 5 次。",
            policy = new
            {
                permission = new { assignee_roles = new[] { "model_builder" }, purposes = new[] { "model_training" }, valid_until = until, max_complete_downloads = 5, versions = new[] { 1 } },
                duties = new[] { "attribution", "notify_owner" },
                prohibitions = new[] { "resale", "reidentification", "onward_transfer" },
            },
        }, Ct)).AssertJson();
        Assert.Matches("^[0-9a-f]{64}$", terms.GetProperty("policy_sha256").GetString());
        await (await owner.PostAsJsonAsync($"/v1/datasets/{dataset}/plans", new { kind = "one_time", price_fen = 199_900 }, Ct)).AssertJson(HttpStatusCode.Created);
        await (await owner.PostAsJsonAsync($"/v1/datasets/{dataset}/plans", new { kind = "subscription", period = "P1M", price_fen = 9_900 }, Ct)).AssertJson(HttpStatusCode.Created);

        var response = await consumer.GetAsync($"/v1/datasets/{dataset}/odrl", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(2, document["@graph"]!.AsArray().Count);

        var result = await Check(document);
        var expanded = result.GetProperty("expanded");
        Assert.True(result.GetProperty("round_trip_stable").GetBoolean());
        Assert.All(result.GetProperty("schema_errors").EnumerateArray(), e => Assert.Equal(0, e.GetArrayLength()));
        Assert.All(expanded.EnumerateArray(), offer => Assert.Equal(Odrl + "Offer", offer.GetProperty("@type")[0].GetString()));
        var permissions = expanded.EnumerateArray().SelectMany(o => o.GetProperty(Odrl + "permission").EnumerateArray()).ToList();
        Assert.All(permissions, p => Assert.Equal(Odrl + "use", p.GetProperty(Odrl + "action")[0].GetProperty("@id").GetString()));
        var constraints = permissions.SelectMany(p => p.GetProperty(Odrl + "constraint").EnumerateArray()).ToList();
        Assert.Equal([Odrl + "count", Odrl + "dateTime", Odrl + "elapsedTime", Odrl + "purpose", Odrl + "version"],
            constraints.Select(c => c.GetProperty(Odrl + "leftOperand")[0].GetProperty("@id").GetString()!).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(constraints, c => c.GetProperty(Odrl + "operator")[0].GetProperty("@id").GetString() == Odrl + "isAnyOf"
            && c.GetProperty(Odrl + "rightOperand")[0].GetProperty("@value").GetString() == "model_training");
        var duties = permissions.SelectMany(p => Ids(p.GetProperty(Odrl + "duty"), Odrl + "action")).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal([Odrl + "attribute", Odrl + "compensate", Odrl + "inform"], duties);
        var prohibited = Ids(expanded.EnumerateArray().First().GetProperty(Odrl + "prohibition"), Odrl + "action").Order(StringComparer.Ordinal);
        Assert.Equal([Odrl + "distribute", Odrl + "sell", "urn:dataspace:action:reidentify"], prohibited);
        Assert.All(expanded.EnumerateArray(), o => Assert.EndsWith($"/v1/datasets/{dataset}", o.GetProperty(Odrl + "target")[0].GetProperty("@id").GetString()));

        // The schema check can fail: an Offer without its target matches two of the schema's policy kinds at once.
        document["@graph"]![0]!.AsObject().Remove("target");
        var broken = await Check(document);
        Assert.NotEqual(0, broken.GetProperty("schema_errors")[0].GetArrayLength());
    }

    [Fact]
    public async Task A_free_approval_gated_dataset_offers_one_policy_that_requires_the_owners_consent()
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("ODRL审批数源单位", "source_unit"));
        var dataset = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.jsonl"] = "{}\n"u8.ToArray() });
        await (await owner.PutAsJsonAsync($"/v1/datasets/{dataset}/access-policy", new { policy = "approval" }, Ct)).AssertJson();

        var document = JsonNode.Parse(await (await owner.GetAsync($"/v1/datasets/{dataset}/odrl", Ct)).Content.ReadAsStringAsync(Ct))!;
        var result = await Check(document);
        Assert.True(result.GetProperty("round_trip_stable").GetBoolean());
        Assert.Equal(0, result.GetProperty("schema_errors")[0].GetArrayLength());
        var offer = Assert.Single(result.GetProperty("expanded").EnumerateArray());
        Assert.Equal([Odrl + "obtainConsent"], Ids(offer.GetProperty(Odrl + "permission")[0].GetProperty(Odrl + "duty"), Odrl + "action"));
    }
}
