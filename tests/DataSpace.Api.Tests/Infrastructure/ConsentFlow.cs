namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>Consents through the API, for tests that need one.</summary>
public static class ConsentFlow
{
    public static object Body(string grantee, string[] categories, string[]? datasetIds = null, DateTimeOffset? from = null, DateTimeOffset? until = null) => new
    {
        grantee,
        categories,
        all_datasets = datasetIds is null,
        dataset_ids = datasetIds ?? [],
        purpose = new { code = "industry_statistics", text = "全市灯饰产业运行监测" },
        legal_basis = "《中山市人工智能赋能平台管理办法》第十一条；数源单位书面授权",
        valid_from = from ?? DateTimeOffset.UtcNow.AddMinutes(-1),
        valid_until = until ?? DateTimeOffset.UtcNow.AddDays(30),
    };

    public static async Task<string> GrantAsync(HttpClient unit, object body)
    {
        var response = await unit.PostAsJsonAsync("/v1/consents", body);
        return (await response.AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }
}
