using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using DataSpace.Parquet;
using Npgsql;

namespace DataSpace.Api.Tests.Features.Profiles;

public sealed class RenditionTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly byte[] Csv = Encoding.UTF8.GetBytes("编号,城市,金额,日期,时间,备注\n" +
        "1,中山,12.50,2025-01-02,2025-01-02T08:00:00+08:00,\"含,逗号\"\n" +
        "2,珠海,,2025-02-03,2025-02-03T09:30:00Z,\n" +
        "3,江门,-7.25,2025-03-04,2025-03-04T00:00:00Z,普通\n");

    private static readonly byte[] Jsonl = Encoding.UTF8.GetBytes("{\"id\": 1, \"名\": \"灯\", \"x\": 1.5e2, \"ok\": true}\n{\"id\": 2, \"ok\": false, \"tags\": [1, 2]}\n");

    private async Task<(HttpClient Owner, HttpClient Consumer, string Dataset)> Published()
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("转换测试数源单位", "source_unit"));
        var consumer = await api.ClientFor(await api.OrganizationAsync("转换测试模型方", "model_builder"));
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]>
        {
            ["data/明细.csv"] = Csv, ["items.jsonl"] = Jsonl, ["raw.bin"] = [0, 1, 2, 3, 4], ["t.parquet"] = await ProfileTests.ParquetAsync(),
        });
        await ProfileFlow.SettledAsync(owner, id);
        return (owner, consumer, id);
    }

    private static string Url(string id, string path) => DatasetFlow.FileUrl(id, 1, path) + "?format=parquet";

    [Fact]
    public async Task The_csv_rendition_downloads_with_every_header_and_reads_back_typed()
    {
        var (owner, consumer, id) = await Published();
        var manifest = (await ProfileFlow.SettledAsync(owner, id))["data/明细.csv"].GetProperty("parquet_rendition");
        Assert.Equal("done", manifest.Str("status"));

        var response = await consumer.GetAsync(Url(id, "data/明细.csv"), Ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.apache.parquet", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"{manifest.Str("sha256")}\"", response.Headers.ETag?.Tag);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), manifest.Str("sha256"));
        Assert.Equal(manifest.GetProperty("size").GetInt64(), bytes.Length);
        Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(bytes))}:", (response.Headers.TryGetValues("Content-Digest", out var d) || response.Content.Headers.TryGetValues("Content-Digest", out d) ? d.Single() : null));
        Assert.Equal("明细.parquet", response.Content.Headers.ContentDisposition?.FileNameStar);

        using var stream = new MemoryStream(bytes);
        var meta = ParquetReader.ReadMetadata(stream);
        Assert.Equal(["编号", "城市", "金额", "日期", "时间", "备注"], meta.Columns.Select(c => c.Name));
        Assert.Equal([ParquetType.Int64, ParquetType.String, ParquetType.Decimal, ParquetType.Date, ParquetType.TimestampMicros, ParquetType.String], meta.Columns.Select(c => c.Type!.Value));
        Assert.Contains("SNAPPY", meta.RowGroups[0].Columns[0].Codec, StringComparison.OrdinalIgnoreCase);
        stream.Position = 0;
        var rows = ParquetReader.ReadRows(stream).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal([1L, "中山", 12.50m, new DateOnly(2025, 1, 2), new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero), "含,逗号"], rows[0]);
        Assert.Null(rows[1][2]);
        Assert.Null(rows[1][5]);
        Assert.Equal(-7.25m, rows[2][2]);
    }

    [Fact]
    public async Task Timestamps_without_a_zone_stay_local_wall_clock_times_for_DuckDB()
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("本地时间数源单位", "source_unit"));
        var consumer = await api.ClientFor(await api.OrganizationAsync("本地时间模型方", "model_builder"));
        var csv = Encoding.UTF8.GetBytes("编号,抄表时间,混合时间,上报时间\n" +
            "1,2025-01-02 08:00:00,2025-01-02T08:00:00+08:00,2025-01-02T08:00:00+08:00\n" +
            "2,2025-06-30T23:59:59.5,2025-01-02 09:00,2025-01-02T00:00:00Z\n");
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["meter.csv"] = csv });
        await ProfileFlow.SettledAsync(owner, id);

        var response = await consumer.GetAsync(Url(id, "meter.csv"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        var file = Path.Combine(Path.GetTempPath(), $"dataspace-local-ts-{Guid.NewGuid():N}.parquet");
        await File.WriteAllBytesAsync(file, bytes, Ct);
        try
        {
            var run = await NodeTool.RunAsync("@duckdb/node-api", ["tools/parquet-oracle.mjs", "read", file], Ct);
            Assert.True(run.ExitCode == 0, run.Stderr);
            var duck = JsonDocument.Parse(run.Stdout).RootElement[0].GetProperty("duckdb");
            var types = duck.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("type").GetString()).ToList();
            // No zone written: local times (TIMESTAMP); every value with an offset: instants (TIMESTAMP WITH TIME ZONE).
            Assert.Equal(["BIGINT", "TIMESTAMP", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE"], types);

            static string Micros(DateTime wallClock) => ((wallClock.Ticks - DateTime.UnixEpoch.Ticks) / 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var rows = duck.GetProperty("rows");
            Assert.Equal(Micros(new DateTime(2025, 1, 2, 8, 0, 0)), rows[0][1].GetString());
            Assert.Equal(Micros(new DateTime(2025, 6, 30, 23, 59, 59, 500)), rows[1][1].GetString());
            // In a column that is not all instants, a value with an offset is written as its Asia/Shanghai clock time.
            Assert.Equal(Micros(new DateTime(2025, 1, 2, 8, 0, 0)), rows[0][2].GetString());
            Assert.Equal(Micros(new DateTime(2025, 1, 2, 9, 0, 0)), rows[1][2].GetString());
            Assert.Equal(Micros(new DateTime(2025, 1, 2, 0, 0, 0)), rows[0][3].GetString());
            Assert.Equal(Micros(new DateTime(2025, 1, 2, 0, 0, 0)), rows[1][3].GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Json_lines_render_too_and_parquet_files_are_served_as_they_are()
    {
        var (_, consumer, id) = await Published();

        var jsonl = await consumer.GetAsync(Url(id, "items.jsonl"), Ct);
        Assert.Equal(HttpStatusCode.OK, jsonl.StatusCode);
        using var stream = new MemoryStream(await jsonl.Content.ReadAsByteArrayAsync(Ct));
        var rows = ParquetReader.ReadRows(stream).ToList();
        Assert.Equal([1L, "灯", 150.0, true, null], rows[0]);
        Assert.Equal([2L, null, null, false, "[1, 2]"], rows[1]);

        var parquet = await consumer.GetAsync(Url(id, "t.parquet"), Ct);
        Assert.Equal(await ProfileTests.ParquetAsync(), await parquet.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Ranges_HEAD_and_metering_work_on_the_rendition_as_on_any_file()
    {
        var (_, consumer, id) = await Published();
        var full = await (await consumer.GetAsync(Url(id, "data/明细.csv"), Ct)).Content.ReadAsByteArrayAsync(Ct);

        var request = new HttpRequestMessage(HttpMethod.Get, Url(id, "data/明细.csv"));
        request.Headers.Range = new RangeHeaderValue(full.Length - 8, null);
        var tail = await consumer.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(full[^8..], await tail.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal($"bytes {full.Length - 8}-{full.Length - 1}/{full.Length}", tail.Content.Headers.ContentRange?.ToString());

        var head = await consumer.SendAsync(new HttpRequestMessage(HttpMethod.Head, Url(id, "data/明细.csv")), Ct);
        Assert.Equal(full.Length, head.Content.Headers.ContentLength);

        await api.UsageEventsSettledAsync(id);
        await using var conn = new NpgsqlConnection(api.ConnectionString);
        var events = (await conn.QueryAsync<(string Representation, long BytesSent, string Status)>(
            "select representation, bytes_sent, status from usage_events where dataset_id = @id order by occurred_at", new { id = Guid.Parse(id) })).ToList();
        Assert.Equal([("parquet", (long)full.Length, "completed"), ("parquet", 8L, "completed")], events);
    }

    [Fact]
    public async Task No_rendition_is_a_404_an_unknown_format_a_400()
    {
        var (_, consumer, id) = await Published();

        var binary = await consumer.GetAsync(Url(id, "raw.bin"), Ct);
        var problem = await binary.AssertProblem(HttpStatusCode.NotFound, "rendition_unavailable");
        Assert.Contains("binary", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await consumer.GetAsync(DatasetFlow.FileUrl(id, 1, "items.jsonl") + "?format=xlsx", Ct)).AssertProblem(HttpStatusCode.BadRequest, "unsupported_format");
    }

    [Fact]
    public async Task A_rendition_not_written_yet_is_409_with_Retry_After()
    {
        await using var idle = new DataSpaceApiFactory().WithSetting("Profiling:Enabled", "false");
        await idle.InitializeAsync();
        var owner = await idle.ClientFor(await idle.OrganizationAsync("未转换数源单位", "source_unit"));
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.csv"] = Csv });

        var response = await owner.GetAsync(Url(id, "a.csv"), Ct);

        await response.AssertProblem(HttpStatusCode.Conflict, "rendition_pending");
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
    }
}
