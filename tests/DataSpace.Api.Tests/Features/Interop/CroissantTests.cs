using System.Text.Json.Nodes;
using DataSpace.Api.Tests.Features.Profiles;

namespace DataSpace.Api.Tests.Features.Interop;

public sealed class CroissantTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly byte[] Csv = "城市,年份,出口额,是否重点\n中山,2024,123.5,true\n佛山,2024,98.25,false\n江门,2025,77,true\n"u8.ToArray();
    private static readonly byte[] Jsonl = "{\"id\":1,\"名称\":\"灯饰\"}\n{\"id\":2,\"名称\":\"家电\"}\n"u8.ToArray();

    /// <summary>Runs tools/croissant-check.mjs (ajv, jsonld, DuckDB) over a document.</summary>
    private static async Task<JsonElement> CheckAsync(string document, string token)
    {
        var file = TestEnvironment.Scratch("croissant-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, document, Ct);
        var result = await NodeTool.RunAsync("jsonld", ["tools/croissant-check.mjs", file, token], Ct);
        File.Delete(file);
        Assert.True(result.ExitCode == 0, $"croissant-check failed: {result.Stdout} {result.Stderr}");
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    [Fact]
    public async Task A_committed_version_is_Croissant_that_jsonld_expands_the_schema_accepts_and_DuckDB_reads_with_the_profiles_row_counts()
    {
        var ownerOrg = await api.OrganizationAsync("Croissant 数源单位", "source_unit");
        using var owner = await api.ClientFor(ownerOrg);
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["exports/a.csv"] = Csv, ["b.jsonl"] = Jsonl, ["readme.bin"] = [0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF, 0xFE, 0x00] });
        var profiles = await ProfileFlow.SettledAsync(owner, id);

        var response = await owner.GetAsync($"/v1/datasets/{id}/versions/1/croissant", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var doc = JsonDocument.Parse(text).RootElement;

        var check = await CheckAsync(text, await api.TokenAsync(ownerOrg));
        Assert.Empty(check.GetProperty("schema_errors").EnumerateArray());
        Assert.True(check.GetProperty("expanded_equal").GetBoolean());
        Assert.Contains("https://schema.org/Dataset", check.GetProperty("dataset_types").EnumerateArray().Select(t => t.GetString()));
        var csvRows = profiles["exports/a.csv"].GetProperty("row_count").GetInt64();
        Assert.Equal(3, csvRows);
        Assert.Equal(csvRows, check.GetProperty("record_sets").GetProperty("exports/a.csv").GetInt64());
        Assert.Equal(2, check.GetProperty("record_sets").GetProperty("b.jsonl").GetInt64());
        Assert.Equal(csvRows, check.GetProperty("renditions").GetProperty("exports/a.csv.parquet").GetInt64());

        // One FileObject per file with the server's hash and size, plus the renditions; a RecordSet per table only.
        var distribution = doc.GetProperty("distribution").EnumerateArray().ToDictionary(f => f.GetProperty("@id").GetString()!);
        Assert.Equal(["b.jsonl", "b.jsonl.parquet", "exports/a.csv", "exports/a.csv.parquet", "readme.bin"], distribution.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Csv)), distribution["exports/a.csv"].GetProperty("sha256").GetString());
        Assert.Equal($"{Csv.Length} B", distribution["exports/a.csv"].GetProperty("contentSize").GetString());
        Assert.Equal(["b.jsonl", "exports/a.csv"], doc.GetProperty("recordSet").EnumerateArray().Select(r => r.GetProperty("@id").GetString()!).Order(StringComparer.Ordinal));
        var fields = doc.GetProperty("recordSet").EnumerateArray().Single(r => r.GetProperty("@id").GetString() == "exports/a.csv").GetProperty("field").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("dataType").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["城市"] = "sc:Text", ["年份"] = "sc:Integer", ["出口额"] = "sc:Float", ["是否重点"] = "sc:Boolean" }, fields);
        Assert.Equal(ownerOrg.OrganizationId, doc.GetProperty("creator").GetProperty("identifier").GetString());
        Assert.Equal("http://mlcommons.org/croissant/1.0", doc.GetProperty("conformsTo").GetString());

        // The checks can fail: a document without conformsTo is refused by the schema.
        var broken = JsonNode.Parse(text)!.AsObject();
        broken.Remove("conformsTo");
        Assert.NotEmpty((await CheckAsync(broken.ToJsonString(), await api.TokenAsync(ownerOrg))).GetProperty("schema_errors").EnumerateArray());
    }

    [Fact]
    public async Task A_reader_who_may_not_read_a_paid_dataset_sees_its_schema_without_hashes_and_drafts_have_no_Croissant()
    {
        using var owner = await api.ClientFor(await api.OrganizationAsync("付费 Croissant 单位", "source_unit"));
        using var reader = await api.ClientFor(await api.OrganizationAsync("未购买的模型企业", "model_builder"));
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.csv"] = Csv }, access: "paid");
        await ProfileFlow.SettledAsync(owner, id);

        var ownView = await (await owner.GetAsync($"/v1/datasets/{id}/versions/1/croissant", Ct)).AssertJson();
        var preview = await (await reader.GetAsync($"/v1/datasets/{id}/versions/latest/croissant", Ct)).AssertJson();
        Assert.All(ownView.GetProperty("distribution").EnumerateArray(), f => Assert.True(f.TryGetProperty("sha256", out _)));
        Assert.All(preview.GetProperty("distribution").EnumerateArray(), f => Assert.False(f.TryGetProperty("sha256", out _)));
        Assert.False(preview.TryGetProperty("identifier", out _));
        Assert.Equal(4, preview.GetProperty("recordSet")[0].GetProperty("field").GetArrayLength());
        Assert.False(preview.GetProperty("isAccessibleForFree").GetBoolean());

        await DatasetFlow.OpenVersionAsync(owner, id, "草稿");
        await (await owner.GetAsync($"/v1/datasets/{id}/versions/2/croissant", Ct)).AssertProblem(HttpStatusCode.NotFound, "version_not_found");
        await (await reader.GetAsync($"/v1/datasets/{id}/versions/2/croissant", Ct)).AssertProblem(HttpStatusCode.NotFound, "version_not_found");
    }
}
