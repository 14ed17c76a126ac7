namespace DataSpace.Api.Tests.Features.Rewards;

/// <summary>
/// GET /v1/reward-statistics: revenue per month and industry only over units whose consent covers their revenue, each
/// counted unit's read recorded under its consent; rewards of approved runs per industry; exact fen; bad months refused.
/// Also the bureau's ?unit= filter of a run's lines and the owner's ?basis= filter of the audit list.
/// </summary>
public sealed class RewardStatisticsTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateOnly ShanghaiToday() =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);

    private static string ThisMonth() => ShanghaiToday().ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A published paid dataset of the unit in the industry, sold and paid once to a new buyer per price.</summary>
    private async Task<string> SellAsync(HttpClient unit, HttpClient op, string industry, params long[] prices)
    {
        var fields = DatasetFlow.ValidFields("统计语料 " + Guid.NewGuid().ToString("N")[..6], "paid");
        fields["industry"] = industry;
        var dataset = await DatasetFlow.CreateAsync(unit, fields);
        var version = await DatasetFlow.OpenVersionAsync(unit, dataset);
        await (await DatasetFlow.UploadAsync(unit, dataset, version, "语料.jsonl", "{\"text\":\"灯饰\"}\n"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        await DatasetFlow.CommitAsync(unit, dataset, version);
        await DatasetFlow.PublishAsync(unit, dataset);
        foreach (var price in prices)
        {
            var (terms, plan) = await OrderFlow.OfferAsync(unit, dataset, price);
            using var buyer = await api.ClientFor(await api.OrganizationAsync("统计买家", "model_builder"));
            await OrderFlow.AcceptAsync(buyer, dataset, terms);
            var order = await OrderFlow.PlaceAsync(buyer, plan);
            await (await op.PostAsJsonAsync($"/v1/orders/{order}/payments", new { amount_fen = price, reference = "R-" + order }, Ct)).AssertJson();
        }

        return dataset;
    }

    /// <summary>A draft run over today (Asia/Shanghai) under a new policy without thresholds: every dataset qualifies.</summary>
    private static async Task<string> DraftRunOfTodayAsync(HttpClient bureau)
    {
        var policy = (await (await bureau.PostAsJsonAsync("/v1/reward-policies", new
        {
            name = "统计", cap_scope = "per_period", min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0,
        }, Ct)).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();
        var today = ShanghaiToday().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return (await (await bureau.PostAsJsonAsync("/v1/reward-runs", new { policy_id = policy, period_from = today, period_to = today }, Ct))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    private static Dictionary<string, long> RevenueByIndustry(JsonElement statistics) =>
        statistics.GetProperty("revenue").EnumerateArray().GroupBy(r => r.GetProperty("industry").GetString()!)
            .ToDictionary(g => g.Key, g => g.Sum(r => r.GetProperty("revenue_fen").GetInt64()));

    [Fact]
    public async Task Revenue_is_summed_per_month_and_industry_to_the_fen_over_consenting_units_only_and_each_read_is_audited()
    {
        using var op = await api.OperatorClient();
        var bureauOrg = await api.OrganizationAsync("统计数据局", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        var otherBureau = await api.OrganizationAsync("另一个数据局", "data_bureau");
        var lighting = "灯饰照明-" + Guid.NewGuid().ToString("N")[..6];
        var hardware = "五金制造-" + Guid.NewGuid().ToString("N")[..6];

        // A consents to its revenue alone; B to revenue and usage statistics (so it is in the reward programme too).
        var aOrg = await api.OrganizationAsync("统计甲单位", "source_unit");
        using var a = await api.ClientFor(aOrg);
        await SellAsync(a, op, lighting, 1_234_567, 1);
        var aConsent = await ConsentFlow.GrantAsync(a, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue"]));
        var bOrg = await api.OrganizationAsync("统计乙单位", "source_unit");
        using var b = await api.ClientFor(bOrg);
        await SellAsync(b, op, lighting, 99);
        await SellAsync(b, op, hardware, 250_000);
        await ConsentFlow.GrantAsync(b, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue", "usage_statistics"]));
        // C consents to the bureau, but not to its revenue; D consents its revenue to another bureau only.
        var cOrg = await api.OrganizationAsync("统计丙单位", "source_unit");
        using var c = await api.ClientFor(cOrg);
        await SellAsync(c, op, lighting, 777_777);
        await ConsentFlow.GrantAsync(c, ConsentFlow.Body(bureauOrg.OrganizationId, ["usage_statistics", "dataset_files"]));
        var dOrg = await api.OrganizationAsync("统计丁单位", "source_unit");
        using var d = await api.ClientFor(dOrg);
        await SellAsync(d, op, hardware, 555_555);
        await ConsentFlow.GrantAsync(d, ConsentFlow.Body(otherBureau.OrganizationId, ["revenue", "usage_statistics"]));

        var month = ThisMonth();
        var statistics = await (await bureau.GetAsync($"/v1/reward-statistics?from={month}&to={month}", Ct)).AssertJson();
        Assert.Equal(2, statistics.GetProperty("units_counted").GetInt32());
        Assert.Equal("Asia/Shanghai", statistics.GetProperty("time_zone").GetString());
        Assert.Equal(month + "-01", statistics.GetProperty("from").GetString());
        var byIndustry = RevenueByIndustry(statistics);
        Assert.Equal(2, byIndustry.Count);
        Assert.Equal(1_234_567 + 1 + 99, byIndustry[lighting]);
        Assert.Equal(250_000, byIndustry[hardware]);
        Assert.Equal(1_234_567 + 1 + 99 + 250_000, statistics.GetProperty("total_revenue_fen").GetInt64());
        var lightingRow = Assert.Single(statistics.GetProperty("revenue").EnumerateArray(), r => r.GetProperty("industry").GetString() == lighting);
        Assert.Equal(month + "-01", lightingRow.GetProperty("month").GetString());
        Assert.Equal(2, lightingRow.GetProperty("units").GetInt32());
        Assert.Empty(statistics.GetProperty("rewards").EnumerateArray());

        // A period without sales has none.
        var earlier = await (await bureau.GetAsync("/v1/reward-statistics?from=2020-01&to=2020-12", Ct)).AssertJson();
        Assert.Empty(earlier.GetProperty("revenue").EnumerateArray());
        Assert.Equal(0, earlier.GetProperty("total_revenue_fen").GetInt64());

        // A sees the bureau's read of its revenue under its consent; C and D see no read of theirs.
        var reads = (await (await a.GetAsync("/v1/audit?basis=consent&object_type=revenue", Ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("action").GetString() == "read").ToList();
        Assert.Equal(2, reads.Count);
        Assert.All(reads, e =>
        {
            Assert.Equal(bureauOrg.OrganizationId, e.GetProperty("actor").GetProperty("organization_id").GetString());
            Assert.Equal(aConsent, e.GetProperty("basis").GetProperty("id").GetString());
            Assert.Equal("reward_statistics", e.GetProperty("details").GetProperty("statistics").GetString());
        });
        foreach (var unread in new[] { c, d })
        {
            var events = (await (await unread.GetAsync("/v1/audit?basis=consent", Ct)).AssertJson()).GetProperty("items").EnumerateArray();
            Assert.DoesNotContain(events, e => e.GetProperty("object_type").GetString() == "revenue");
        }

        // Rewards: an approved run over today pays B (the only unit in the programme) 10 % per industry, in fen.
        var run = await DraftRunOfTodayAsync(bureau);
        var draft = await (await bureau.GetAsync($"/v1/reward-statistics?from={month}&to={month}", Ct)).AssertJson();
        Assert.Empty(draft.GetProperty("rewards").EnumerateArray()); // drafts do not count
        await (await bureau.PostAsJsonAsync($"/v1/reward-runs/{run}/approve", new { }, Ct)).AssertJson();
        var approved = await (await bureau.GetAsync($"/v1/reward-statistics?from={month}&to={month}", Ct)).AssertJson();
        var rewards = approved.GetProperty("rewards").EnumerateArray().ToDictionary(r => r.GetProperty("industry").GetString()!);
        Assert.Equal(2, rewards.Count);
        Assert.Equal(9, rewards[lighting].GetProperty("reward_fen").GetInt64()); // 10 % of 99 fen, rounded down
        Assert.Equal(25_000, rewards[hardware].GetProperty("reward_fen").GetInt64());
        Assert.All(rewards.Values, r => Assert.Equal(run, r.GetProperty("run_id").GetString()));
        Assert.Equal(25_009, approved.GetProperty("total_reward_fen").GetInt64());
    }

    [Fact]
    public async Task A_revoked_consent_stops_the_units_revenue_being_counted()
    {
        using var op = await api.OperatorClient();
        var bureauOrg = await api.OrganizationAsync("撤销统计数据局", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        using var unit = await api.ClientFor(await api.OrganizationAsync("撤销统计单位", "source_unit"));
        var industry = "灯饰照明-" + Guid.NewGuid().ToString("N")[..6];
        await SellAsync(unit, op, industry, 31_415);
        var consent = await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue"]));
        var month = ThisMonth();

        var before = await (await bureau.GetAsync($"/v1/reward-statistics?from={month}&to={month}", Ct)).AssertJson();
        Assert.Equal(31_415, RevenueByIndustry(before)[industry]);
        Assert.Equal(1, before.GetProperty("units_counted").GetInt32());

        await (await unit.PostAsJsonAsync($"/v1/consents/{consent}/revoke", new { reason = "不再参与" }, Ct)).AssertJson();
        var after = await (await bureau.GetAsync($"/v1/reward-statistics?from={month}&to={month}", Ct)).AssertJson();
        Assert.Empty(after.GetProperty("revenue").EnumerateArray());
        Assert.Equal(0, after.GetProperty("units_counted").GetInt32());
        Assert.Equal(0, after.GetProperty("total_revenue_fen").GetInt64());
    }

    [Theory]
    [InlineData("from=2026-13&to=2026-12", "from")]
    [InlineData("from=2026-01&to=26-02", "to")]
    [InlineData("from=2026-01-01", "from")]
    [InlineData("from=2026-05&to=2026-04", "to")]
    [InlineData("from=2000-01&to=2010-01", "from")]
    [InlineData("from=0999-12&to=2000-01", "from")]
    public async Task Bad_months_are_refused_naming_the_field(string query, string field)
    {
        using var bureau = await api.ClientFor(await api.OrganizationAsync("校验统计数据局", "data_bureau"));
        var problem = await (await bureau.GetAsync("/v1/reward-statistics?" + query, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Only_the_data_bureau_reads_the_statistics()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("无权统计单位", "source_unit"));
        Assert.Equal(HttpStatusCode.Forbidden, (await unit.GetAsync("/v1/reward-statistics", Ct)).StatusCode);
        using var anonymous = api.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/reward-statistics", Ct)).StatusCode);
    }

    [Fact]
    public async Task The_bureau_filters_a_runs_lines_by_unit_and_a_bad_unit_is_refused()
    {
        var bureauOrg = await api.OrganizationAsync("按单位数据局", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        var units = new List<(string Org, HttpClient Client, HashSet<string> Datasets)>();
        foreach (var count in new[] { 2, 1 })
        {
            var org = await api.OrganizationAsync("按单位数源单位", "source_unit");
            var client = await api.ClientFor(org);
            var datasets = new HashSet<string>();
            for (var i = 0; i < count; i++)
            {
                datasets.Add(await DatasetFlow.CreateAsync(client));
            }

            await ConsentFlow.GrantAsync(client, ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue", "usage_statistics"]));
            units.Add((org.OrganizationId, client, datasets));
        }

        try
        {
            var run = await DraftRunOfTodayAsync(bureau);
            foreach (var (org, _, datasets) in units)
            {
                var page = await (await bureau.GetAsync($"/v1/reward-runs/{run}/lines?unit={org}&limit=100", Ct)).AssertJson();
                var lines = page.GetProperty("items").EnumerateArray().ToList();
                Assert.All(lines, l => Assert.Equal(org, l.GetProperty("unit_id").GetString()));
                Assert.Equal(datasets.Order(), lines.Select(l => l.GetProperty("dataset_id").GetString()!).Order());
                Assert.All(lines, l => Assert.NotEmpty(l.GetProperty("criteria").EnumerateArray()));
            }

            // One line a page follows the unit's span to its end.
            var first = await (await bureau.GetAsync($"/v1/reward-runs/{run}/lines?unit={units[0].Org}&limit=1", Ct)).AssertJson();
            var cursor = first.GetProperty("next_cursor").GetString()!;
            var second = await (await bureau.GetAsync($"/v1/reward-runs/{run}/lines?unit={units[0].Org}&limit=1&cursor={Uri.EscapeDataString(cursor)}", Ct)).AssertJson();
            Assert.Equal(units[0].Org, Assert.Single(second.GetProperty("items").EnumerateArray()).GetProperty("unit_id").GetString());
            Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);

            var none = await (await bureau.GetAsync($"/v1/reward-runs/{run}/lines?unit={Guid.NewGuid()}", Ct)).AssertJson();
            Assert.Empty(none.GetProperty("items").EnumerateArray());
            var problem = await (await bureau.GetAsync($"/v1/reward-runs/{run}/lines?unit=not-a-unit", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(problem.GetProperty("errors").TryGetProperty("unit", out _));

            // A unit asking for another unit's lines of an approved run gets none of them.
            await (await bureau.PostAsJsonAsync($"/v1/reward-runs/{run}/approve", new { }, Ct)).AssertJson();
            var other = await (await units[1].Client.GetAsync($"/v1/reward-runs/{run}/lines?unit={units[0].Org}", Ct)).AssertJson();
            Assert.Empty(other.GetProperty("items").EnumerateArray());
            var own = await (await units[1].Client.GetAsync($"/v1/reward-runs/{run}/lines?unit={units[1].Org}", Ct)).AssertJson();
            Assert.Single(own.GetProperty("items").EnumerateArray());
        }
        finally
        {
            foreach (var u in units)
            {
                u.Client.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_bad_audit_basis_is_refused()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("审计筛选单位", "source_unit"));
        var problem = await (await unit.GetAsync("/v1/audit?basis=Consent%21", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("basis", out _));
        Assert.Empty((await (await unit.GetAsync("/v1/audit?basis=consent", Ct)).AssertJson()).GetProperty("items").EnumerateArray());
    }
}
