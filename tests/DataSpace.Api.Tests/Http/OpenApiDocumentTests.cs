using System.Text.Json.Nodes;

namespace DataSpace.Api.Tests.Http;

public sealed class OpenApiDocumentTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonNode> Served()
    {
        using var http = api.Anonymous();
        var text = await (await http.GetAsync("/openapi/v1.json", Ct)).Content.ReadAsStringAsync(Ct);
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task The_committed_document_is_what_the_API_serves()
    {
        var committedPath = Path.Combine(TestEnvironment.RepositoryRoot, "openapi", "dataspace.v1.json");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(committedPath, Ct))!;
        var served = await Served();

        Assert.True(JsonNode.DeepEquals(committed, served),
            "openapi/dataspace.v1.json differs from GET /openapi/v1.json: build the API (dotnet build) and commit the regenerated document.");
    }

    [Fact]
    public async Task Every_operation_has_an_id_a_tag_a_success_and_its_problem_responses()
    {
        var doc = await Served();
        Assert.Equal("3.1.1", doc["openapi"]!.GetValue<string>());
        var operations = doc["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Path: p.Key, Method: o.Key, Op: o.Value!.AsObject())))
            .ToList();
        Assert.NotEmpty(operations);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, method, op) in operations)
        {
            var where = $"{method.ToUpperInvariant()} {path}";
            Assert.True(op["operationId"] is not null && ids.Add(op["operationId"]!.GetValue<string>()), $"{where} lacks a unique operationId");
            Assert.True(op["tags"]?.AsArray().Count > 0, $"{where} has no tag");
            var responses = op["responses"]!.AsObject();
            Assert.True(responses.Any(r => r.Key.StartsWith('2')), $"{where} documents no success response");
            Assert.True(op["security"] is JsonArray { Count: > 0 }, $"{where} states no security requirement (an empty one for anonymous operations)");
            if (op["security"]!.AsArray().Any(r => r!.AsObject().Count > 0))
            {
                Assert.True(responses.ContainsKey("401"), $"{where} requires a token but does not document 401");
                Assert.True(responses.ContainsKey("403"), $"{where} requires a token but does not document 403");
            }
        }

        Assert.Equal("client_credentials", doc["components"]!["securitySchemes"]!["oauth2"]!["flows"]!.AsObject().Single().Key.Replace("clientCredentials", "client_credentials", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_member_of_every_schema_says_what_it_means()
    {
        var doc = await Served();
        var bare = doc["components"]!["schemas"]!.AsObject()
            .SelectMany(s => (s.Value!["properties"]?.AsObject() ?? []).Select(p => (Schema: s.Key, Member: p.Key, Node: p.Value!)))
            .Where(p => string.IsNullOrWhiteSpace(p.Node["description"]?.GetValue<string>()))
            .Select(p => $"{p.Schema}.{p.Member}")
            .ToList();
        Assert.True(bare.Count == 0, "schema members without a description: " + string.Join(", ", bare));
    }

    [Fact]
    public async Task The_docs_page_is_served()
    {
        using var http = api.Anonymous();
        var response = await http.GetAsync("/docs/", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("DataSpace", html, StringComparison.Ordinal);
        // Scalar's bundled script from this origin, and no CDN (the browser test checks every request the page makes).
        Assert.Contains("src=\"scalar.js\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("cdn.", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/docs/scalar.js", Ct)).StatusCode);
    }
}
