using System.Reflection;
using System.Text.Json.Nodes;
using DataSpace.Api.OpenApi;
using DataSpace.Api.Problems;

namespace DataSpace.Api.Tests.Http;

/// <summary>
/// Each problem response of the OpenAPI document lists the codes its operation answers (issue 14): recorded from the
/// suite (problem-codes.json), checked here against the codes that exist, the operations that exist, and a live refusal.
/// </summary>
public sealed class ProblemCatalogTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly HashSet<string> KnownCodes = [.. typeof(ProblemCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];

    /// <summary>
    /// Codes no operation is recorded answering, each for a reason: sent where no operation is matched (an unknown path or
    /// method), by the server as a whole, or on paths the suite cannot reach without breaking the machine.
    /// </summary>
    private static readonly Dictionary<string, string> NotPerOperation = new(StringComparer.Ordinal)
    {
        [ProblemCodes.NotFound] = "no route matched: the request reaches no operation",
        [ProblemCodes.MethodNotAllowed] = "the path exists without that method: no operation is matched",
        [ProblemCodes.InternalError] = "any operation, on a server fault; never a documented outcome",
        [ProblemCodes.DatabaseUnavailable] = "any operation, while PostgreSQL is unreachable",
        [ProblemCodes.ServiceUnavailable] = "any operation, while a dependency is down",
        [ProblemCodes.BlobStoreUnavailable] = "any operation that reads or writes files, while blob storage is unreachable",
        [ProblemCodes.BadRequest] = "the fallback for a 400 the framework raises without a code of its own",
        [ProblemCodes.Conflict] = "the fallback for a 409 without a code of its own",
        [ProblemCodes.WebhooksNotConfigured] = "a deployment without a payment webhook secret; every test server has one",
    };

    /// <summary>
    /// Codes operations do send that no test provokes yet, so the document cannot list them where they belong. Each is a
    /// gap in the suite, named so that it stays visible: remove it here once a test provokes it.
    /// </summary>
    private static readonly Dictionary<string, string> NotYetProvoked = new(StringComparer.Ordinal)
    {
    };

    private async Task<JsonNode> ServedAsync()
    {
        using var http = api.Anonymous();
        return JsonNode.Parse(await (await http.GetAsync("/openapi/v1.json", Ct)).Content.ReadAsStringAsync(Ct))!;
    }

    private static IEnumerable<(string Id, string Status, string[] Codes)> DocumentedCodes(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from op in path.Value!.AsObject()
        from response in op.Value!["responses"]!.AsObject()
        let schema = response.Value!["content"]?["application/problem+json"]?["schema"]
        where schema?["allOf"] is not null
        select (op.Value!["operationId"]!.GetValue<string>(), response.Key,
            schema!["allOf"]![1]!["properties"]!["code"]!["enum"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray());

    [Fact]
    public async Task Every_recorded_code_exists_and_every_recorded_operation_is_in_the_document()
    {
        var operations = (await ServedAsync())["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => o.Value!["operationId"]!.GetValue<string>())).ToHashSet();
        foreach (var (operation, statuses) in ProblemCatalog.Recorded)
        {
            Assert.True(operations.Contains(operation), $"problem-codes.json names {operation}, which the document does not have: run ./dataspace problem-codes");
            foreach (var (status, codes) in statuses)
            {
                Assert.True(int.TryParse(status, out var s) && s is >= 400 and < 600, $"{operation}: {status} is not an error status");
                Assert.All(codes, c => Assert.True(KnownCodes.Contains(c), $"{operation} {status}: {c} is not a ProblemCodes constant"));
            }
        }
    }

    [Fact]
    public async Task Every_code_is_documented_on_some_operation_or_named_as_not_belonging_to_one()
    {
        var documented = DocumentedCodes(await ServedAsync()).SelectMany(d => d.Codes).ToHashSet();
        var missing = KnownCodes.Where(c => !documented.Contains(c) && !NotPerOperation.ContainsKey(c) && !NotYetProvoked.ContainsKey(c)).Order(StringComparer.Ordinal).ToList();
        Assert.All(NotYetProvoked.Keys, c => Assert.False(documented.Contains(c), $"{c} is documented now: take it off NotYetProvoked"));
        Assert.True(missing.Count == 0, "no operation documents these codes (a test that provokes each, then ./dataspace problem-codes): " + string.Join(", ", missing));
    }

    [Fact]
    public async Task A_refusal_answers_a_code_its_operation_documents_for_that_status()
    {
        var document = await ServedAsync();
        using var bureau = await api.ClientFor(await api.OrganizationAsync("问题码目录数据局", "data_bureau"));
        var problem = await (await bureau.GetAsync($"/v1/reward-policies/{Guid.NewGuid()}", Ct)).AssertProblem(HttpStatusCode.NotFound, "reward_policy_not_found");
        var bad = await (await bureau.PostAsJsonAsync("/v1/reward-policies", new { name = "x", cap_scope = "forever", min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0 }, Ct))
            .AssertProblem(HttpStatusCode.BadRequest, "validation_failed");

        var codes = DocumentedCodes(document).ToDictionary(d => (d.Id, d.Status), d => d.Codes);
        Assert.Contains("reward_policy_not_found", codes[("GetRewardPolicy", "404")]);
        Assert.Contains("validation_failed", codes[("CreateRewardPolicy", "400")]);
        Assert.Contains("malformed_json", codes[("CreateRewardPolicy", "400")]);
        Assert.Equal(["authentication_required", "invalid_token"], codes[("GetRewardPolicy", "401")]);
        // Every problem response refers to the one ProblemDetails schema, inline nowhere.
        var problems = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()).SelectMany(o => o.Value!["responses"]!.AsObject())
            .Select(r => r.Value!["content"]?["application/problem+json"]?["schema"]).Where(s => s is not null).ToList();
        Assert.All(problems, s => Assert.Equal("#/components/schemas/ProblemDetails", (s!["allOf"]?[0] ?? s)["$ref"]?.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (HttpStatusCode)problem.GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (HttpStatusCode)bad.GetProperty("status").GetInt32());
    }
}
