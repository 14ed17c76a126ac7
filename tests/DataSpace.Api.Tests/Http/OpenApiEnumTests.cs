using System.Reflection;
using System.Text.Json.Nodes;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Datasets;
using DataSpace.Usage.Rewards;

namespace DataSpace.Api.Tests.Http;

/// <summary>
/// Every closed set is one definition: a static class whose constants are its members and whose <c>All</c> lists them,
/// used by the server's code and by the document's enums alike. A list written by hand for the document fails here.
/// </summary>
public sealed class OpenApiEnumTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The closed sets of Contracts, Api (roles, scopes, event types) and Usage (reward criteria and reasons).</summary>
    internal static readonly IReadOnlyDictionary<Type, IReadOnlyList<string>> Definitions =
        new[] { typeof(DatasetStatuses).Assembly, typeof(ProblemCodes).Assembly, typeof(RewardReasons).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t is { IsAbstract: true, IsSealed: true })
            .Select(t => (Type: t, All: t.GetField("All", BindingFlags.Public | BindingFlags.Static)))
            .Where(d => d.All?.FieldType == typeof(IReadOnlyList<string>))
            .ToDictionary(d => d.Type, d => (IReadOnlyList<string>)d.All!.GetValue(null)!);

    private static IEnumerable<string> ConstantsOf(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void Each_closed_set_lists_every_one_of_its_constants_once()
    {
        Assert.True(Definitions.Count >= 40, $"only {Definitions.Count} closed sets found: has the convention (a static All) changed?");
        foreach (var (type, all) in Definitions)
        {
            Assert.True(all.Distinct(StringComparer.Ordinal).Count() == all.Count, $"{type.Name}.All repeats a value");
            Assert.True(ConstantsOf(type).ToHashSet(StringComparer.Ordinal).SetEquals(all), $"{type.Name}.All differs from its constants");
        }
    }

    [Fact]
    public async Task Every_enum_in_the_document_is_a_shared_closed_set()
    {
        using var http = api.Anonymous();
        var doc = JsonNode.Parse(await (await http.GetAsync("/openapi/v1.json", Ct)).Content.ReadAsStringAsync(Ct))!;
        var codes = ConstantsOf(typeof(ProblemCodes)).ToHashSet(StringComparer.Ordinal);
        var sets = Definitions.Values.ToList();
        var enums = Enums(doc, "").ToList();
        var stray = new List<string>();
        foreach (var (path, values) in enums)
        {
            // Problem codes: each operation lists the subset it answers (ProblemCatalog), all from ProblemCodes.
            var isProblemCode = path.EndsWith("/properties/code", StringComparison.Ordinal)
                && (path.Contains("application/problem+json", StringComparison.Ordinal) || path.StartsWith("/components/schemas/ProblemDetails/", StringComparison.Ordinal));
            var shared = isProblemCode ? values.All(codes.Contains) : sets.Any(s => s.SequenceEqual(values, StringComparer.Ordinal));
            if (!shared)
            {
                stray.Add($"{path}: [{string.Join(", ", values)}]");
            }
        }

        Assert.True(enums.Count > 100, $"only {enums.Count} enums found in the document");
        Assert.True(stray.Count == 0, "enums not produced from a shared closed set (give the set a static class with All):\n" + string.Join("\n", stray));
    }

    private static IEnumerable<(string Path, List<string> Values)> Enums(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["enum"] is JsonArray values)
                {
                    yield return (path, [.. values.Where(v => v is not null).Select(v => v!.GetValue<string>())]);
                }

                foreach (var (key, child) in o)
                {
                    foreach (var e in Enums(child, $"{path}/{key}"))
                    {
                        yield return e;
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    foreach (var e in Enums(a[i], $"{path}/{i}"))
                    {
                        yield return e;
                    }
                }

                break;
        }
    }
}
