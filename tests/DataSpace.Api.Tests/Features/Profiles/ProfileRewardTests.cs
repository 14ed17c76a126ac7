namespace DataSpace.Api.Tests.Features.Profiles;

public sealed class ProfileRewardTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_policy_with_rows_and_completeness_judges_the_latest_versions_profiles()
    {
        var bureauOrg = await api.OrganizationAsync("画像奖励数据局", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        using var unit = await api.ClientFor(await api.OrganizationAsync("画像奖励数源单位", "source_unit"));
        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue", "usage_statistics"], null, DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(1)));
        // 2 rows × 2 columns, one empty cell: completeness 7500 basis points; the binary file counts nothing.
        var dataset = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]>
        {
            ["a.csv"] = "编号,值\n1,\n2,3\n"u8.ToArray(),
            ["b.bin"] = [0, 1, 2, 3],
        });
        await ProfileFlow.SettledAsync(unit, dataset);

        var policy = await (await bureau.PostAsJsonAsync("/v1/reward-policies", new
        {
            name = "行数与完整度", cap_scope = "per_period", min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0,
            min_rows = 3, min_completeness_basis_points = 7000,
        }, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal((3, 7000), (policy.GetProperty("min_rows").GetInt64(), policy.GetProperty("min_completeness_basis_points").GetInt32()));
        var year = DateTime.UtcNow.Year;
        var run = await (await bureau.PostAsJsonAsync("/v1/reward-runs", new
        {
            policy_id = policy.GetProperty("id").GetString(), period_from = $"{year - 1}-01-01", period_to = $"{year + 1}-12-31",
        }, Ct)).AssertJson(HttpStatusCode.Created);

        var line = (await RewardFlow.LinesAsync(bureau, run.GetProperty("id").GetString()!)).Single(l => l.GetProperty("dataset_id").GetString() == dataset);
        var criteria = line.GetProperty("criteria").EnumerateArray().ToDictionary(c => c.GetProperty("criterion").GetString()!);
        Assert.Equal((2L, 3L, "below_min_rows"), (criteria["latest_version_rows"].GetProperty("evidence").GetInt64(),
            criteria["latest_version_rows"].GetProperty("threshold").GetInt64(), criteria["latest_version_rows"].GetProperty("reason_code").GetString()));
        Assert.Equal((7500L, "ok"), (criteria["completeness_basis_points"].GetProperty("evidence").GetInt64(), criteria["completeness_basis_points"].GetProperty("reason_code").GetString()));
        Assert.False(line.GetProperty("qualified").GetBoolean());
    }

    [Fact]
    public async Task A_policy_without_them_has_no_row_or_completeness_criteria()
    {
        using var bureau = await api.ClientFor(await api.OrganizationAsync("旧政策数据局", "data_bureau"));
        var policy = await (await bureau.PostAsJsonAsync("/v1/reward-policies", new
        {
            name = "旧式", cap_scope = "per_period", min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0,
        }, Ct)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, policy.GetProperty("min_rows").ValueKind);

        var bad = await bureau.PostAsJsonAsync("/v1/reward-policies", new
        {
            name = "坏", cap_scope = "per_period", min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0,
            min_rows = -1, min_completeness_basis_points = 10001,
        }, Ct);
        var problem = await bad.AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["min_completeness_basis_points", "min_rows"], problem.ErrorFields().Order(StringComparer.Ordinal));
    }
}
