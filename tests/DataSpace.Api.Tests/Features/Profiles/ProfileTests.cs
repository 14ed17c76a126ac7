using System.Text;
using Dapper;
using DataSpace.Parquet;
using Npgsql;

namespace DataSpace.Api.Tests.Features.Profiles;

public sealed class ProfileTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Utf8(string text, bool bom = false) => [.. (bom ? (byte[])[0xEF, 0xBB, 0xBF] : []), .. Encoding.UTF8.GetBytes(text)];

    /// <summary>Publishes one version with these files and returns the settled profiles.</summary>
    private async Task<(HttpClient Owner, string Dataset, Dictionary<string, JsonElement> Profiles)> Profiled(IReadOnlyDictionary<string, byte[]> files)
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("画像测试数源单位", "source_unit"));
        var id = await DatasetFlow.PublishedAsync(owner, files);
        return (owner, id, await ProfileFlow.SettledAsync(owner, id));
    }

    [Fact]
    public async Task A_csv_with_a_BOM_a_Chinese_header_and_quoted_delimiters_is_profiled_column_by_column()
    {
        var csv = Utf8("日期,国家,金额,件数,备注\r\n" +
            "2025-01-31,德国,1234.50,12,\"灯饰, 出口\"\r\n" +
            "2025-02-28,法国,,7,\"他说\"\"好\"\"\"\r\n" +
            "2025-03-31,美国,99.5,0,\r\n", bom: true);

        var (_, _, profiles) = await Profiled(new Dictionary<string, byte[]> { ["出口.csv"] = csv });

        var p = profiles["出口.csv"];
        Assert.Equal("done", p.Str("status"));
        Assert.Equal("csv", p.Str("format"));
        Assert.Equal(",", p.Str("delimiter"));
        Assert.True(p.GetProperty("header").GetBoolean());
        Assert.Equal(3, p.GetProperty("row_count").GetInt64());
        Assert.Equal(5, p.GetProperty("column_count").GetInt32());
        Assert.Equal(["日期", "国家", "金额", "件数", "备注"], p.GetProperty("columns").EnumerateArray().Select(c => c.Str("name")));
        var date = p.Column("日期");
        Assert.Equal(("date", "2025-01-31", "2025-03-31"), (date.Str("type"), date.Str("min"), date.Str("max")));
        var amount = p.Column("金额");
        Assert.Equal(("decimal", "99.5", "1234.50", 1L), (amount.Str("type"), amount.Str("min"), amount.Str("max"), amount.GetProperty("null_count").GetInt64()));
        Assert.Equal(0.333333, amount.GetProperty("null_ratio").GetDouble());
        Assert.Equal(("integer", "0", "12"), (p.Column("件数").Str("type"), p.Column("件数").Str("min"), p.Column("件数").Str("max")));
        var country = p.Column("国家");
        Assert.Equal(("string", 2L, 2L), (country.Str("type"), country.GetProperty("min_length").GetInt64(), country.GetProperty("max_length").GetInt64()));
        var note = p.Column("备注");
        Assert.Equal((1L, 5L, 6L), (note.GetProperty("null_count").GetInt64(), note.GetProperty("min_length").GetInt64(), note.GetProperty("max_length").GetInt64()));
        Assert.True(p.GetProperty("duration_ms").GetInt64() >= 0);
        Assert.Equal(JsonValueKind.String, p.GetProperty("profiled_at").ValueKind);
    }

    [Fact]
    public async Task Tab_semicolon_and_pipe_delimiters_are_sniffed()
    {
        var (_, _, profiles) = await Profiled(new Dictionary<string, byte[]>
        {
            ["a.tsv"] = Utf8("城市\t人口\t面积\n中山\t4418060\t1783.67\n珠海\t2439585\t1736.45\n"),
            ["b.csv"] = Utf8("stadt;einwohner;anteil\nBerlin;3850809;1,5\nHamburg;1892122;0,9\n"),
            ["c.txt"] = Utf8("id|ok|at\n1|true|2025-01-01T08:00:00+08:00\n2|FALSE|2025-06-30 23:59:59Z\n"),
        });

        Assert.Equal(("tsv", "\t", 2L), (profiles["a.tsv"].Str("format"), profiles["a.tsv"].Str("delimiter"), profiles["a.tsv"].GetProperty("row_count").GetInt64()));
        Assert.Equal("integer", profiles["a.tsv"].Column("人口").Str("type"));
        Assert.Equal(("csv", ";"), (profiles["b.csv"].Str("format"), profiles["b.csv"].Str("delimiter")));
        Assert.Equal("string", profiles["b.csv"].Column("anteil").Str("type")); // decimal commas are not numbers
        var c = profiles["c.txt"];
        Assert.Equal(("csv", "|"), (c.Str("format"), c.Str("delimiter")));
        Assert.Equal("boolean", c.Column("ok").Str("type"));
        var at = c.Column("at");
        Assert.Equal(("timestamp", "2025-01-01T00:00:00Z", "2025-06-30T23:59:59Z"), (at.Str("type"), at.Str("min"), at.Str("max")));
    }

    [Fact]
    public async Task Quoted_fields_with_line_breaks_count_as_one_record()
    {
        var csv = Utf8("编号,描述\n1,\"第一行\n第二行\"\n2,\"含\"\"引号\"\"和,逗号\r\n及换行\"\n3,普通\n");
        var (_, _, profiles) = await Profiled(new Dictionary<string, byte[]> { ["multi.csv"] = csv });

        var p = profiles["multi.csv"];
        Assert.Equal("done", p.Str("status"));
        Assert.Equal(3, p.GetProperty("row_count").GetInt64());
        Assert.Equal(("integer", "1", "3"), (p.Column("编号").Str("type"), p.Column("编号").Str("min"), p.Column("编号").Str("max")));
        Assert.Equal(14, p.Column("描述").GetProperty("max_length").GetInt64()); // 含"引号"和,逗号 CR LF 及换行
    }

    [Fact]
    public async Task Json_lines_with_missing_keys_and_nulls_count_both_as_null()
    {
        var jsonl = Utf8("""
            {"id": 1, "名称": "灯具", "价格": 12.5, "上架": "2025-01-02", "属性": {"颜色": "白"}}
            {"id": 2, "名称": null, "价格": 8, "在售": true}

            {"id": 3, "价格": 1e3, "上架": "2025-03-04", "在售": false}
            """);
        var (_, _, profiles) = await Profiled(new Dictionary<string, byte[]> { ["items.jsonl"] = jsonl });

        var p = profiles["items.jsonl"];
        Assert.Equal(("done", "jsonl", 3L), (p.Str("status"), p.Str("format"), p.GetProperty("row_count").GetInt64()));
        Assert.Equal(["id", "名称", "价格", "上架", "属性", "在售"], p.GetProperty("columns").EnumerateArray().Select(c => c.Str("name")));
        Assert.Equal(2, p.Column("名称").GetProperty("null_count").GetInt64());
        Assert.Equal(("number", "8", "1000"), (p.Column("价格").Str("type"), p.Column("价格").Str("min"), p.Column("价格").Str("max")));
        Assert.Equal(("date", 1L), (p.Column("上架").Str("type"), p.Column("上架").GetProperty("null_count").GetInt64()));
        Assert.Equal(("json", 2L), (p.Column("属性").Str("type"), p.Column("属性").GetProperty("null_count").GetInt64()));
        Assert.Equal(("boolean", 1L), (p.Column("在售").Str("type"), p.Column("在售").GetProperty("null_count").GetInt64()));
    }

    internal static async Task<byte[]> ParquetAsync()
    {
        using var output = new MemoryStream();
        await using (var writer = new ParquetWriter(output, [new("id", ParquetType.Int64), new("名称", ParquetType.String), new("金额", ParquetType.Decimal, Precision: 10, Scale: 2), new("日期", ParquetType.Date)], leaveOpen: true))
        {
            writer.WriteRow(1L, "灯具", 12.50m, new DateOnly(2025, 1, 2));
            writer.WriteRow(2L, null, 3.25m, new DateOnly(2025, 6, 30));
            writer.WriteRow(3L, "风扇", null, new DateOnly(2024, 12, 31));
            await writer.CompleteAsync(Ct);
        }

        return output.ToArray();
    }

    [Fact]
    public async Task Parquet_files_are_profiled_from_their_footer_and_binary_and_empty_files_are_recognised()
    {
        var fake = (byte[])[.. "PAR1"u8, .. DatasetFlow.RandomBytes(100), .. "PAR1"u8];
        var (_, _, profiles) = await Profiled(new Dictionary<string, byte[]>
        {
            ["t.parquet"] = await ParquetAsync(),
            ["fake.parquet"] = fake,
            ["blob.bin"] = DatasetFlow.RandomBytes(5000),
            ["empty.csv"] = [],
        });

        var p = profiles["t.parquet"];
        Assert.True(p.Str("status") == "done", p.GetRawText());
        Assert.Equal(("done", "parquet", 3L, 4), (p.Str("status"), p.Str("format"), p.GetProperty("row_count").GetInt64(), p.GetProperty("column_count").GetInt32()));
        Assert.Equal(["integer", "string", "decimal", "date"], p.GetProperty("columns").EnumerateArray().Select(c => c.Str("type")));
        Assert.Equal(("1", "3"), (p.Column("id").Str("min"), p.Column("id").Str("max")));
        Assert.Equal(("3.25", "12.50", 1L), (p.Column("金额").Str("min"), p.Column("金额").Str("max"), p.Column("金额").GetProperty("null_count").GetInt64()));
        Assert.Equal(("2024-12-31", "2025-06-30"), (p.Column("日期").Str("min"), p.Column("日期").Str("max")));
        Assert.Equal(1, p.Column("名称").GetProperty("null_count").GetInt64());
        Assert.Equal("failed", profiles["fake.parquet"].Str("status"));
        Assert.Contains("Parquet footer", profiles["fake.parquet"].Str("reason"), StringComparison.Ordinal);
        Assert.Equal(("done", "binary"), (profiles["blob.bin"].Str("status"), profiles["blob.bin"].Str("format")));
        Assert.Equal(JsonValueKind.Null, profiles["blob.bin"].GetProperty("row_count").ValueKind);
        Assert.Equal(("done", "empty", 0L), (profiles["empty.csv"].Str("status"), profiles["empty.csv"].Str("format"), profiles["empty.csv"].GetProperty("row_count").GetInt64()));
    }

    [Fact]
    public async Task Malformed_files_fail_with_a_reason_and_the_commit_still_stands()
    {
        var ragged = Utf8("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n");
        var badJson = Utf8("{\"a\": 1}\n{\"a\": 2,\n");
        var unclosed = Utf8("a,b\n1,\"never closed\n2,3\n");
        var gbk = new byte[] { 0xD6, 0xD0, 0xC9, 0xBD, (byte)',', (byte)'1', (byte)'\n' }; // 中山 in GBK
        var (owner, id, profiles) = await Profiled(new Dictionary<string, byte[]>
        {
            ["ragged.csv"] = ragged, ["bad.jsonl"] = badJson, ["unclosed.csv"] = unclosed, ["gbk.csv"] = gbk,
        });

        Assert.All(profiles.Values, p => Assert.Equal("failed", p.Str("status")));
        Assert.Contains("Inconsistent number of fields", profiles["ragged.csv"].Str("reason"), StringComparison.Ordinal);
        Assert.Contains("Line 2 is not valid JSON", profiles["bad.jsonl"].Str("reason"), StringComparison.Ordinal);
        Assert.Contains("never closed", profiles["unclosed.csv"].Str("reason"), StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", profiles["gbk.csv"].Str("reason"), StringComparison.Ordinal);

        var version = await (await owner.GetAsync($"/v1/datasets/{id}/versions/1", Ct)).AssertJson();
        Assert.Equal("committed", version.GetProperty("status").GetString());
        var download = await owner.GetAsync(DatasetFlow.FileUrl(id, 1, "ragged.csv"), Ct);
        Assert.Equal(ragged, await download.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task A_few_ragged_rows_are_tolerated_with_a_note()
    {
        var csv = Utf8("a,b\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"{i},{i * 2}\n")) + "7\n");
        var (_, _, profiles) = await Profiled(new Dictionary<string, byte[]> { ["mostly.csv"] = csv });

        var p = profiles["mostly.csv"];
        Assert.Equal(("done", 201L), (p.Str("status"), p.GetProperty("row_count").GetInt64()));
        Assert.Equal(1, p.Column("b").GetProperty("null_count").GetInt64());
        Assert.Contains("1 of 201 rows", p.GetProperty("notes")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Draft_files_have_no_profile_and_committing_queues_one()
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("画像草稿数源单位", "source_unit"));
        var id = await DatasetFlow.CreateAsync(owner);
        var v = await DatasetFlow.OpenVersionAsync(owner, id);
        var uploaded = await (await DatasetFlow.UploadAsync(owner, id, v, "d.csv", Utf8("x\n1\n"))).AssertJson(HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, uploaded.GetProperty("profile").ValueKind);

        var committed = await (await owner.PostAsync($"/v1/datasets/{id}/versions/{v}/commit", null, Ct)).AssertJson();
        Assert.Contains(committed.GetProperty("files")[0].GetProperty("profile").GetProperty("status").GetString(), new[] { "pending", "done" });
        Assert.Equal("integer", (await ProfileFlow.SettledAsync(owner, id))["d.csv"].Column("x").Str("type"));
    }

    [Fact]
    public async Task The_same_content_in_two_datasets_is_profiled_once()
    {
        var content = Utf8("名称,数量\n灯,3\n扇,4\n" + Guid.NewGuid().ToString("N") + ",5\n");
        var (_, first, one) = await Profiled(new Dictionary<string, byte[]> { ["x.csv"] = content });
        var (_, second, two) = await Profiled(new Dictionary<string, byte[]> { ["copy/y.csv"] = content });

        Assert.NotEqual(first, second);
        Assert.Equal(one["x.csv"].GetRawText(), two["copy/y.csv"].GetRawText());
        await using var conn = new NpgsqlConnection(api.ConnectionString);
        var rows = (await conn.QueryAsync<string>("select status from file_profiles where sha256 = @sha",
            new { sha = Convert.FromHexString(DatasetFlow.Sha256Hex(content)) })).ToList();
        Assert.Equal(["done"], rows);
    }

    [Fact]
    public async Task A_restarted_process_picks_up_queued_and_abandoned_work()
    {
        await using var first = new DataSpaceApiFactory().WithSetting("Profiling:Enabled", "false");
        await first.InitializeAsync();
        var ownerCredentials = await first.OrganizationAsync("重启测试数源单位", "source_unit");
        var owner = await first.ClientFor(ownerCredentials);
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["q.csv"] = Utf8("a\n1\n2\n"), ["r.csv"] = Utf8("b\nx\n") });
        await using (var conn = new NpgsqlConnection(first.ConnectionString))
        {
            Assert.Equal(2, await conn.ExecuteScalarAsync<int>("select count(*)::int from file_profiles where status = 'pending'"));
            // One of them as a worker that died mid-profile leaves it: claimed, with a lease that has run out.
            await conn.ExecuteAsync("""
                update file_profiles set attempts = 1, claimed_until = now() - interval '1 minute'
                where sha256 = (select sha256 from file_profiles order by sha256 limit 1)
                """);
        }

        await using var restarted = new DataSpaceApiFactory().SharingStateOf(first).WithSetting("Profiling:PollSeconds", "1");
        await restarted.InitializeAsync();
        var profiles = await ProfileFlow.SettledAsync(await restarted.ClientFor(ownerCredentials), id);

        Assert.Equal(("done", 2L), (profiles["q.csv"].Str("status"), profiles["q.csv"].GetProperty("row_count").GetInt64()));
        Assert.Equal(("done", 1L), (profiles["r.csv"].Str("status"), profiles["r.csv"].GetProperty("row_count").GetInt64()));
    }
}
