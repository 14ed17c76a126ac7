namespace DataSpace.Api.Tests.Http;

/// <summary>
/// The committed OpenAPI document passes Redocly's recommended ruleset (pinned @redocly/cli in tools/) with no error and
/// no warning; the only exceptions are the reasoned entries of .redocly.lint-ignore.yaml.
/// </summary>
public sealed class OpenApiLintTests
{
    [Fact]
    public async Task The_committed_document_passes_the_recommended_ruleset_without_errors_or_warnings()
    {
        var ct = TestContext.Current.CancellationToken;
        var lint = await NodeTool.RunAsync("@redocly/cli",
            ["tools/node_modules/@redocly/cli/bin/cli.js", "lint", "openapi/dataspace.v1.json", "--format=json"], ct);

        // Redocly prints banners (e.g. a Node.js deprecation notice) before the report: read from the report's first brace.
        var start = lint.Stdout.IndexOf('{', StringComparison.Ordinal);
        Assert.True(start >= 0, $"redocly printed no report (exit {lint.ExitCode}): {lint.Stderr}");
        var report = JsonDocument.Parse(lint.Stdout[start..]).RootElement;
        var problems = string.Join('\n', report.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()} " +
                string.Join(", ", p.GetProperty("location").EnumerateArray().Select(l => l.TryGetProperty("pointer", out var ptr) ? ptr.GetString() : ""))));
        Assert.True(report.GetProperty("totals").GetProperty("errors").GetInt32() == 0, problems);
        Assert.True(report.GetProperty("totals").GetProperty("warnings").GetInt32() == 0, problems);
        Assert.Equal(0, lint.ExitCode);
    }

    [Fact]
    public async Task Every_path_parameter_of_the_file_operations_is_declared()
    {
        var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(TestEnvironment.RepositoryRoot, "openapi", "dataspace.v1.json"), TestContext.Current.CancellationToken)).RootElement;
        var files = document.GetProperty("paths").GetProperty("/v1/datasets/{id}/versions/{n}/files/{path}");
        foreach (var method in new[] { "get", "head", "put", "delete" })
        {
            var names = files.GetProperty(method).GetProperty("parameters").EnumerateArray()
                .Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Equal(["id", "n", "path"], names.Order(StringComparer.Ordinal));
        }

        var upload = files.GetProperty("put").GetProperty("requestBody").GetProperty("content");
        Assert.Equal("binary", upload.GetProperty("application/octet-stream").GetProperty("schema").GetProperty("format").GetString());
        Assert.Equal("OAuth", document.GetProperty("tags")[0].GetProperty("name").GetString());
        Assert.Contains("`Authorization: Bearer ACCESS_TOKEN`", document.GetProperty("info").GetProperty("description").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closed_sets_required_members_parameters_and_bodies_are_documented()
    {
        var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(TestEnvironment.RepositoryRoot, "openapi", "dataspace.v1.json"), TestContext.Current.CancellationToken)).RootElement;
        var schemas = document.GetProperty("components").GetProperty("schemas");
        static List<string?> Enum(JsonElement schema, string member) =>
            [.. schema.GetProperty("properties").GetProperty(member).GetProperty("enum").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString())];

        Assert.Equal(["draft", "published", "withdrawn"], Enum(schemas.GetProperty("Dataset"), "status"));
        Assert.Equal(["pending_payment", "paid", "cancelled", "refunded"], Enum(schemas.GetProperty("Order"), "status"));
        Assert.Contains("unknown_member", Enum(schemas.GetProperty("ProblemDetails"), "code"));
        Assert.Contains("title", schemas.GetProperty("DatasetFields").GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("plan_id", schemas.GetProperty("CreateOrderRequest").GetProperty("required").EnumerateArray().Select(r => r.GetString()));

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                var where = $"{op.Name.ToUpperInvariant()} {path.Name}";
                Assert.True(op.Value.TryGetProperty("summary", out _) || op.Value.TryGetProperty("description", out _), $"{where} has no summary");
                foreach (var parameter in op.Value.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray() : Enumerable.Empty<JsonElement>())
                {
                    Assert.True(parameter.TryGetProperty("description", out _), $"{where} parameter {parameter.GetProperty("name").GetString()} has no description");
                }

                if (op.Value.TryGetProperty("requestBody", out var body))
                {
                    foreach (var media in body.GetProperty("content").EnumerateObject().Where(m => !m.Value.GetProperty("schema").GetRawText().Contains("binary", StringComparison.Ordinal)))
                    {
                        Assert.True(media.Value.TryGetProperty("example", out _), $"{where} {media.Name} body has no example");
                    }
                }
            }
        }
    }
}
