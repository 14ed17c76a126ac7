using System.Text;
using DataSpace.Parquet;

namespace DataSpace.Api.Tests.Features.Usage;

/// <summary>Usage events exported as Parquet and CSV, for the consumer and for the owner, read back by our reader.</summary>
public sealed class UsageExportTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Consumers_and_owners_export_their_own_usage_events_as_Parquet_and_CSV()
    {
        var ownerOrg = await api.OrganizationAsync("导出数源单位", "source_unit");
        using var owner = await api.ClientFor(ownerOrg);
        var consumerOrg = await api.OrganizationAsync("导出模型公司", "model_builder");
        using var consumer = await api.ClientFor(consumerOrg);
        using var stranger = await api.ClientFor(await api.OrganizationAsync("旁观者", "model_builder"));
        var content = DatasetFlow.RandomBytes(10_000);
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["数据/样本.bin"] = content });
        var url = DatasetFlow.FileUrl(id, 1, "数据/样本.bin");
        await consumer.GetByteArrayAsync(url, Ct);
        using (var ranged = new HttpRequestMessage(HttpMethod.Get, url))
        {
            ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, 199);
            Assert.Equal(HttpStatusCode.PartialContent, (await consumer.SendAsync(ranged, Ct)).StatusCode);
        }

        await api.UsageEventsSettledAsync(id);

        var response = await consumer.GetAsync("/v1/usage/export", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.apache.parquet", response.Content.Headers.ContentType?.MediaType);
        var rows = ReadParquet(await response.Content.ReadAsByteArrayAsync(Ct), out var metadata);
        Assert.Equal(2, metadata.NumRows);
        Assert.Equal("usage_events", metadata.KeyValueMetadata["dataspace.export"]);
        Assert.All(rows, r => Assert.Equal(consumerOrg.OrganizationId, r["consumer_id"]));
        Assert.Equal([10_000L, 100L], rows.Select(r => (long)r["bytes_sent"]!).Order().Reverse());
        var rangedRow = rows.Single(r => r["range_start"] is not null);
        Assert.Equal(100L, rangedRow["range_start"]);
        Assert.Equal(199L, rangedRow["range_end"]);
        Assert.Equal("数据/样本.bin", rangedRow["path"]);
        Assert.IsType<DateTimeOffset>(rangedRow["occurred_at"]);

        // The owner sees the same events from its side, but not who downloaded (the consumer's business secret);
        // a stranger sees none.
        var ownerRows = ReadParquet(await owner.GetByteArrayAsync("/v1/usage/export?as=owner", Ct), out var ownerMetadata);
        Assert.DoesNotContain(ownerMetadata.Columns, c => c.Name is "consumer_id" or "client_id");
        Assert.Superset(new HashSet<object?>(rows.Select(r => r["event_id"])), new HashSet<object?>(ownerRows.Select(r => r["event_id"])));
        var ownerCsv = Encoding.UTF8.GetString(await owner.GetByteArrayAsync("/v1/usage/export?as=owner&format=csv", Ct));
        Assert.DoesNotContain(consumerOrg.OrganizationId, ownerCsv, StringComparison.Ordinal);
        Assert.StartsWith("\uFEFFevent_id,occurred_at,finished_at,dataset_id,owner_id,", ownerCsv, StringComparison.Ordinal);
        Assert.Empty(ReadParquet(await stranger.GetByteArrayAsync("/v1/usage/export", Ct), out _));

        // CSV: BOM, header, one line per event.
        var csv = await consumer.GetByteArrayAsync("/v1/usage/export?format=csv", Ct);
        Assert.Equal([0xEF, 0xBB, 0xBF], csv[..3]);
        var lines = Encoding.UTF8.GetString(csv[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("event_id,occurred_at,", lines[0], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.Contains(",100,199,", StringComparison.Ordinal));

        await (await consumer.GetAsync("/v1/usage/export?format=xml", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await consumer.GetAsync("/v1/usage/export?as=auditor", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await consumer.GetAsync("/v1/usage/export?from=2020-01-01&to=2026-01-01", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
    }

    private static List<Dictionary<string, object?>> ReadParquet(byte[] bytes, out ParquetMetadata metadata)
    {
        using var stream = new MemoryStream(bytes);
        metadata = ParquetReader.ReadMetadata(stream);
        var names = metadata.Columns.Select(c => c.Name).ToList();
        stream.Position = 0;
        return [.. ParquetReader.ReadRows(stream).Select(row => names.Zip(row).ToDictionary(p => p.First, p => p.Second))];
    }
}
