namespace DataSpace.Api.Tests.Features.Usage;

public sealed class UsageReportTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Today() =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_owner_sees_counts_and_distinct_consumers_but_not_who_they_are()
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("用量数源单位", "source_unit"));
        var content = "a,b\n1,2\n"u8.ToArray();
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.csv"] = content });
        var first = await api.OrganizationAsync("用量模型方甲", "model_builder");
        using var a = await api.ClientFor(first);
        using var b = await api.ClientFor(await api.OrganizationAsync("用量模型方乙", "model_builder"));
        var url = DatasetFlow.FileUrl(id, 1, "a.csv");
        await a.GetByteArrayAsync(url, Ct);
        await a.GetByteArrayAsync(url, Ct);
        await b.GetByteArrayAsync(url, Ct);
        await owner.GetByteArrayAsync(url, Ct); // the owner's own download is not consumption
        await api.UsageEventsSettledAsync(id);

        var today = Today();
        var report = await (await owner.GetAsync($"/v1/datasets/{id}/usage?from={today}&to={today}", Ct)).AssertJson();

        Assert.Equal("Asia/Shanghai", report.GetProperty("time_zone").GetString());
        var bucket = report.GetProperty("buckets").EnumerateArray().Single();
        Assert.Equal(today, bucket.GetProperty("start").GetString());
        Assert.Equal(3, bucket.GetProperty("downloads").GetInt64());
        Assert.Equal(3, bucket.GetProperty("completed_downloads").GetInt64());
        Assert.Equal(3 * content.Length, bucket.GetProperty("bytes").GetInt64());
        Assert.Equal(2, bucket.GetProperty("consumers").GetInt64());
        Assert.DoesNotContain(first.OrganizationId, report.GetRawText(), StringComparison.Ordinal);

        var mine = await (await a.GetAsync($"/v1/usage?from={today}&to={today}", Ct)).AssertJson();
        var myBucket = mine.GetProperty("buckets").EnumerateArray().Single();
        Assert.Equal(id, myBucket.GetProperty("dataset_id").GetString());
        Assert.Equal(2, myBucket.GetProperty("downloads").GetInt64());
    }

    [Fact]
    public async Task Buckets_are_zero_filled_by_day_and_by_month()
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("零填充数源单位", "source_unit"));
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.csv"] = "x\n"u8.ToArray() });
        var days = await (await owner.GetAsync($"/v1/datasets/{id}/usage?from=2026-02-27&to=2026-03-02", Ct)).AssertJson();
        Assert.Equal(["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"], days.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("start").GetString()!));
        var months = await (await owner.GetAsync($"/v1/datasets/{id}/usage?from=2026-01-15&to=2026-04-02&granularity=month", Ct)).AssertJson();
        Assert.Equal(["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"], months.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("start").GetString()!));
        Assert.All(months.GetProperty("buckets").EnumerateArray(), b => Assert.Equal(0, b.GetProperty("downloads").GetInt64()));
    }

    [Theory]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("to=yesterday", "to")]
    [InlineData("from=2026-03-02&to=2026-03-01", "to")]
    [InlineData("from=2024-01-01&to=2026-01-01", "from")]
    [InlineData("granularity=hour", "granularity")]
    public async Task Bad_periods_are_validation_problems(string query, string field)
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("参数校验数源单位", "source_unit"));
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.csv"] = "x\n"u8.ToArray() });
        var problem = await (await owner.GetAsync($"/v1/datasets/{id}/usage?{query}", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task Only_the_owner_reads_a_datasets_usage()
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("用量所有者", "source_unit"));
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.csv"] = "x\n"u8.ToArray() });
        using var other = await api.ClientFor(await api.OrganizationAsync("好奇的模型方", "model_builder"));
        await (await other.GetAsync($"/v1/datasets/{id}/usage", Ct)).AssertProblem(HttpStatusCode.Forbidden, "not_dataset_owner");
        await (await other.GetAsync("/v1/usage?dataset_id=not-an-id", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
    }
}
