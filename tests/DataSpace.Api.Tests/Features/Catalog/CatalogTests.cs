using DataSpace.Api.Features.Catalog;

namespace DataSpace.Api.Tests.Features.Catalog;

public sealed class CatalogTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, byte[]> OneFile = new() { ["a.csv"] = "a\n"u8.ToArray() };

    private async Task<(HttpClient Owner, string OrgId)> Unit(string name)
    {
        var org = await api.OrganizationAsync(name, "source_unit");
        return (await api.ClientFor(org), org.OrganizationId);
    }

    private static async Task<string> Publish(HttpClient owner, string title, string industry = "灯饰照明", string access = "open", string[]? tags = null, string description = "说明")
    {
        var fields = DatasetFlow.ValidFields(title, access);
        fields["industry"] = industry;
        fields["description"] = description;
        fields["tags"] = tags ?? Array.Empty<string>();
        var id = await DatasetFlow.CreateAsync(owner, fields);
        var v = await DatasetFlow.OpenVersionAsync(owner, id);
        await DatasetFlow.UploadAsync(owner, id, v, "a.csv", "a\n"u8.ToArray());
        await DatasetFlow.CommitAsync(owner, id, v);
        await DatasetFlow.PublishAsync(owner, id);
        return id;
    }

    private static async Task<List<string>> Ids(HttpClient client, string query)
    {
        var page = await (await client.GetAsync("/v1/datasets?" + query, Ct)).AssertJson();
        return [.. page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!)];
    }

    [Fact]
    public async Task Search_matches_Chinese_and_English_substrings_of_title_description_and_tags()
    {
        var (owner, org) = await Unit("搜索数源单位");
        var lamps = await Publish(owner, "古镇LED灯饰出口月度统计", tags: ["出口"]);
        var appliances = await Publish(owner, "Xiaolan Smart Appliance Failure Logs", industry: "家用电器", description: "小榄智能家电故障日志");
        var tagged = await Publish(owner, "设备运行数据", industry: "装备制造", tags: ["Predictive-Maintenance"]);
        using var reader = await api.ClientFor(await api.OrganizationAsync("搜索读者", "model_builder"));

        Assert.Equal([lamps], await Ids(reader, $"owner={org}&q={Uri.EscapeDataString("灯饰")}"));
        Assert.Equal([lamps], await Ids(reader, $"owner={org}&q=led"));
        Assert.Equal([appliances], await Ids(reader, $"owner={org}&q={Uri.EscapeDataString("故障")}"));
        Assert.Equal([appliances], await Ids(reader, $"owner={org}&q=SMART%20appliance"));
        Assert.Equal([tagged], await Ids(reader, $"owner={org}&q=maintenance"));
        Assert.Empty(await Ids(reader, $"owner={org}&q={Uri.EscapeDataString("不存在的词")}"));
    }

    [Fact]
    public async Task Wildcard_characters_in_q_are_literal()
    {
        var (owner, org) = await Unit("通配符数源单位");
        var percent = await Publish(owner, "达标率 100% 数据");
        await Publish(owner, "普通数据 plain");
        using var reader = await api.ClientFor(await api.OrganizationAsync("通配符读者", "model_builder"));
        Assert.Equal([percent], await Ids(reader, $"owner={org}&q={Uri.EscapeDataString("100%")}"));
        Assert.Empty(await Ids(reader, $"owner={org}&q={Uri.EscapeDataString("%")}{Uri.EscapeDataString("_")}"));
    }

    [Fact]
    public async Task Filters_narrow_by_industry_access_owner_and_update_time()
    {
        var (owner, org) = await Unit("筛选数源单位");
        var open = await Publish(owner, "开放数据", industry: "灯饰照明");
        var paid = await Publish(owner, "付费数据", industry: "家用电器", access: "paid");
        using var reader = await api.ClientFor(await api.OrganizationAsync("筛选读者", "model_builder"));

        Assert.Equal([paid], await Ids(reader, $"owner={org}&access=paid"));
        Assert.Equal([open], await Ids(reader, $"owner={org}&industry={Uri.EscapeDataString("灯饰照明")}"));
        Assert.Equal([paid, open], await Ids(reader, $"owner={org}"));
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(await Ids(reader, $"owner={org}&updated_since={future}"));
        Assert.Equal(2, (await Ids(reader, $"owner={org}&updated_since=2026-01-01T00:00:00%2B08:00")).Count);
    }

    [Fact]
    public async Task The_catalog_shows_published_datasets_and_only_your_own_drafts_and_never_withdrawn_ones()
    {
        var (owner, org) = await Unit("可见性数源单位");
        var published = await Publish(owner, "已发布");
        var withdrawn = await Publish(owner, "已下架");
        await owner.PostAsync($"/v1/datasets/{withdrawn}/withdraw", null, Ct);
        var draft = await DatasetFlow.CreateAsync(owner, DatasetFlow.ValidFields("草稿"));
        using var reader = await api.ClientFor(await api.OrganizationAsync("可见性读者", "model_builder"));

        Assert.Equal([published], await Ids(reader, $"owner={org}"));
        Assert.Equal([draft, published], await Ids(owner, $"owner={org}"));
    }

    [Fact]
    public async Task Pagination_visits_every_dataset_exactly_once_in_a_stable_order()
    {
        var (owner, org) = await Unit("分页数源单位");
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await Publish(owner, $"分页数据集 {i}"));
        }

        using var reader = await api.ClientFor(await api.OrganizationAsync("分页读者", "model_builder"));
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await reader.GetAsync($"/v1/datasets?owner={org}&limit=3" + (cursor is null ? "" : "&cursor=" + cursor), Ct)).AssertJson();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null && seen.Count < 50);

        Assert.Equal(ids.AsEnumerable().Reverse(), seen);
    }

    [Fact]
    public async Task A_search_finds_matches_older_than_the_newest_window_and_pages_through_common_ones()
    {
        var (owner, org) = await Unit("搜索窗口数源单位");
        var rare = await Publish(owner, "罕见词 rare-word-7f3 检测数据");
        // Newer published datasets than the search window holds, all matching a common word and none the rare one.
        var newer = CatalogStore.SearchWindow + 50;
        await using (var conn = new Npgsql.NpgsqlConnection(api.ConnectionString))
        {
            await Dapper.SqlMapper.ExecuteAsync(conn, """
                insert into datasets
                select (jsonb_populate_record(d, jsonb_build_object(
                    'id', (substr(ts, 1, 8) || '-' || substr(ts, 9, 4) || '-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
                    'title', '窗口常见词 ' || i, 'search_text', lower('窗口常见词 common-word ' || i)))).*
                from datasets d,
                     generate_series(1, @newer) as i,
                     lpad(to_hex((extract(epoch from now() + interval '1 hour') * 1000)::bigint + i), 12, '0') as ts
                where d.id = @id
                """, new { id = Guid.Parse(rare), newer });
        }

        using var reader = await api.ClientFor(await api.OrganizationAsync("搜索窗口读者", "model_builder"));
        Assert.Equal([rare], await Ids(reader, $"owner={org}&q=rare-word-7f3"));
        Assert.Equal([rare], await Ids(reader, $"q={Uri.EscapeDataString("罕见词")}"));

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await reader.GetAsync("/v1/datasets?q=common-word&limit=100" + (cursor is null ? "" : "&cursor=" + cursor), Ct)).AssertJson();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("title").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null && seen.Count < 10 * newer);

        Assert.Equal(Enumerable.Range(1, newer).Reverse().Select(i => "窗口常见词 " + i), seen);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("access=free", "access")]
    [InlineData("owner=someone", "owner")]
    [InlineData("updated_since=2026-01-01", "updated_since")]
    [InlineData("updated_since=soon", "updated_since")]
    [InlineData("cursor=%25%25%25", "cursor")]
    public async Task Bad_catalog_parameters_are_validation_problems(string query, string field)
    {
        using var reader = await api.ClientFor(await api.OrganizationAsync("参数读者", "model_builder"));
        var problem = await (await reader.GetAsync("/v1/datasets?" + query, Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task A_query_longer_than_100_characters_is_refused()
    {
        using var reader = await api.ClientFor(await api.OrganizationAsync("长查询读者", "model_builder"));
        var problem = await (await reader.GetAsync("/v1/datasets?q=" + Uri.EscapeDataString(new string('灯', 101)), Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["q"], problem.ErrorFields());
    }

    [Fact]
    public async Task A_token_without_the_catalog_scope_cannot_browse()
    {
        var org = await api.OrganizationAsync("范围受限数源单位", "source_unit");
        using var publishOnly = await api.ClientFor(org, scope: "publish");
        await (await publishOnly.GetAsync("/v1/datasets", Ct)).AssertProblem(HttpStatusCode.Forbidden, "insufficient_scope");
    }
}
