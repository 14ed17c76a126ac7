using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>The dataset flow through the API, for tests that need a dataset, a version or a file to exist.</summary>
public static class DatasetFlow
{
    public static Dictionary<string, object?> ValidFields(string title = "中山市灯饰出口统计 Lighting exports", string access = "open") => new()
    {
        ["title"] = title,
        ["description"] = "2020–2025 年古镇灯饰出口明细，按月、按国家。Monthly lighting exports by destination.",
        ["industry"] = "灯饰照明",
        ["tags"] = new[] { "灯饰", "出口", "lighting" },
        ["access"] = access,
        ["licence"] = "CC BY 4.0\n署名后可自由使用。",
        ["update_frequency"] = "monthly",
        ["security_level"] = "general",
        ["personal_information"] = "none",
        ["provenance"] = new Dictionary<string, object?>
        {
            ["source_type"] = "self_operated",
            ["source_systems"] = new[] { "ERP 出口报关模块" },
            ["collection_period"] = new { start = "2020-01-01", end = "2025-12-31" },
            ["collection_method"] = "系统导出，人工复核",
            ["legal_basis"] = "企业自有经营数据",
            ["rights"] = new
            {
                resource_holding = new { holder = "中山市古镇灯饰数据科技有限公司", basis = "自行采集" },
                processing_use = new { holder = "中山市古镇灯饰数据科技有限公司", basis = "自行采集" },
                product_operation = new { holder = "中山市古镇灯饰数据科技有限公司", basis = "自行采集" },
            },
            ["lineage"] = Array.Empty<string>(),
        },
    };

    public static async Task<string> CreateAsync(HttpClient owner, Dictionary<string, object?>? fields = null)
    {
        var response = await owner.PostAsJsonAsync("/v1/datasets", fields ?? ValidFields());
        return (await response.AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    public static async Task<int> OpenVersionAsync(HttpClient owner, string datasetId, string notes = "首个版本")
    {
        var response = await owner.PostAsJsonAsync($"/v1/datasets/{datasetId}/versions", new { notes });
        return (await response.AssertJson(HttpStatusCode.Created)).GetProperty("number").GetInt32();
    }

    public static string FileUrl(string datasetId, object version, string path) =>
        $"/v1/datasets/{datasetId}/versions/{version}/files/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient owner, string datasetId, int version, string path, byte[] content, string? contentType = null)
    {
        var body = new ByteArrayContent(content);
        if (contentType is not null)
        {
            body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return await owner.PutAsync(FileUrl(datasetId, version, path), body);
    }

    public static async Task CommitAsync(HttpClient owner, string datasetId, int version) =>
        await (await owner.PostAsync($"/v1/datasets/{datasetId}/versions/{version}/commit", null)).AssertJson();

    public static async Task PublishAsync(HttpClient owner, string datasetId) =>
        await (await owner.PostAsync($"/v1/datasets/{datasetId}/publish", null)).AssertJson();

    /// <summary>A published dataset with one committed version holding these files.</summary>
    public static async Task<string> PublishedAsync(HttpClient owner, IReadOnlyDictionary<string, byte[]> files, string access = "open", string? title = null)
    {
        var id = await CreateAsync(owner, ValidFields(title ?? "测试数据集 " + Guid.NewGuid().ToString("N")[..6], access));
        var version = await OpenVersionAsync(owner, id);
        foreach (var (path, content) in files)
        {
            await (await UploadAsync(owner, id, version, path, content)).AssertJson(HttpStatusCode.Created);
        }

        await CommitAsync(owner, id, version);
        await PublishAsync(owner, id);
        return id;
    }

    public static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public static string Sha256Hex(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
