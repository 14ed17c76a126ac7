using System.Reflection;
using System.Text.Json;
using DataSpace.Api.Problems;

namespace DataSpace.Api.Tests.Features.Console;

/// <summary>
/// The console explains every refusal in the person's language: /ui/problems.json, as the API serves it, holds a
/// Chinese and an English sentence for each code of ProblemCodes (and none for codes that no longer exist).
/// </summary>
public sealed class ProblemSentencesTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static IReadOnlyList<string> Codes() =>
        [.. typeof(ProblemCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)];

    private static bool HasHan(string text) => text.Any(c => c is >= '\u4e00' and <= '\u9fff');

    [Fact]
    public async Task Every_problem_code_has_a_chinese_and_an_english_sentence_in_the_served_console()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = api.Anonymous();
        using var response = await http.GetAsync("/ui/problems.json", ct);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var served = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var sentences = served.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var codes = Codes();
        Assert.True(codes.Count > 100, "ProblemCodes was not read: " + codes.Count);

        var missing = new List<string>();
        foreach (var code in codes)
        {
            if (!sentences.TryGetValue(code, out var entry))
            {
                missing.Add($"{code}: no entry");
                continue;
            }

            var zh = entry.TryGetProperty("zh", out var z) ? z.GetString() ?? "" : "";
            var en = entry.TryGetProperty("en", out var e) ? e.GetString() ?? "" : "";
            if (zh.Length < 10 || !HasHan(zh))
            {
                missing.Add($"{code}: no Chinese sentence");
            }

            // A sentence, not the code restated: several words, and not the code with its underscores turned to spaces.
            if (en.Split(' ').Length < 6 || HasHan(en) || en.TrimEnd('.').Equals(code.Replace('_', ' '), StringComparison.OrdinalIgnoreCase))
            {
                missing.Add($"{code}: no English sentence");
            }
        }

        Assert.True(missing.Count == 0, "src/DataSpace.Api/wwwroot/ui/problems.json lacks sentences: " + string.Join("; ", missing));
        var stale = sentences.Keys.Except(codes, StringComparer.Ordinal).ToList();
        Assert.True(stale.Count == 0, "problems.json has sentences for codes ProblemCodes no longer has: " + string.Join(", ", stale));
    }
}
