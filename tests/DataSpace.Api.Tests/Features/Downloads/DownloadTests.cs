using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace DataSpace.Api.Tests.Features.Downloads;

public sealed class DownloadTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string CsvPath = "2025/灯具出口明细 (全年).csv";
    private static readonly byte[] Csv = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"2025-{(i % 12) + 1:00},德国,{i * 37}\n")));

    private async Task<(HttpClient Owner, HttpClient Consumer, string Dataset, string ConsumerOrg)> Published(string access = "open", IReadOnlyDictionary<string, byte[]>? files = null)
    {
        var owner = await api.ClientFor(await api.OrganizationAsync("下载测试数源单位", "source_unit"));
        var consumerOrg = await api.OrganizationAsync("下载测试模型方", "model_builder");
        var consumer = await api.ClientFor(consumerOrg);
        var id = await DatasetFlow.PublishedAsync(owner, files ?? new Dictionary<string, byte[]> { [CsvPath] = Csv }, access);
        return (owner, consumer, id, consumerOrg.OrganizationId);
    }

    /// <summary>The dataset's usage events, once none is in progress any more.</summary>
    private async Task<List<(string Status, long BytesSent, long BytesRequested, long? RangeStart)>> Events(string datasetId)
    {
        await api.UsageEventsSettledAsync(datasetId);
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        return [.. await conn.QueryAsync<(string, long, long, long?)>(
            "select status, bytes_sent, bytes_requested, range_start from usage_events where dataset_id = @id order by occurred_at", new { id = Guid.Parse(datasetId) })];
    }

    private static string? Digest(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Content-Digest", out var v) || response.Content.Headers.TryGetValues("Content-Digest", out v) ? v.Single() : null;

    [Fact]
    public async Task A_full_download_has_every_header_a_client_needs()
    {
        var (_, consumer, id, _) = await Published();

        var response = await consumer.GetAsync(DatasetFlow.FileUrl(id, 1, CsvPath), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Csv, await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(Csv.Length, response.Content.Headers.ContentLength);
        Assert.Equal($"\"{DatasetFlow.Sha256Hex(Csv)}\"", response.Headers.ETag?.Tag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(Csv))}:", Digest(response));
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("灯具出口明细 (全年).csv", disposition.FileNameStar);
        Assert.DoesNotContain(disposition.FileName!, c => c > 127);
    }

    [Fact]
    public async Task Latest_works_as_a_version_and_HEAD_sends_headers_only_and_is_not_metered()
    {
        var (_, consumer, id, _) = await Published();
        var head = await consumer.SendAsync(new HttpRequestMessage(HttpMethod.Head, DatasetFlow.FileUrl(id, "latest", CsvPath)), Ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(Csv.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
        Assert.Empty(await Events(id));
    }

    [Theory]
    [InlineData("bytes=0-9", 0, 10)]
    [InlineData("bytes=100-", 100, -1)]
    [InlineData("bytes=-25", -25, 25)]
    [InlineData("bytes=10-999999999", 10, -1)]
    public async Task A_single_range_is_206_with_the_exact_bytes(string range, int start, int length)
    {
        var (_, consumer, id, _) = await Published();
        var from = start >= 0 ? start : Csv.Length + start;
        var count = length >= 0 ? length : Csv.Length - from;
        var request = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(id, 1, CsvPath));
        request.Headers.TryAddWithoutValidation("Range", range);

        var response = await consumer.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(Csv.AsSpan(from, count).ToArray(), await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal($"bytes {from}-{from + count - 1}/{Csv.Length}", response.Content.Headers.ContentRange?.ToString());
        Assert.Null(Digest(response));
        var events = await Events(id);
        Assert.Equal(("completed", count, count, (long?)from), events.Single());
    }

    [Theory]
    [InlineData("bytes=999999-")]
    [InlineData("bytes=-0")]
    public async Task An_unsatisfiable_range_is_416_with_the_size(string range)
    {
        var (_, consumer, id, _) = await Published();
        var request = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(id, 1, CsvPath));
        request.Headers.TryAddWithoutValidation("Range", range);
        var response = await consumer.SendAsync(request, Ct);
        await response.AssertProblem(HttpStatusCode.RequestedRangeNotSatisfiable, "range_not_satisfiable");
        Assert.Equal($"bytes */{Csv.Length}", response.Content.Headers.ContentRange?.ToString());
    }

    [Theory]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("items=0-5")]
    [InlineData("bytes=9-3")]
    [InlineData("bytes=abc")]
    public async Task Ranges_we_do_not_serve_fall_back_to_the_whole_file(string range)
    {
        var (_, consumer, id, _) = await Published();
        var request = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(id, 1, CsvPath));
        request.Headers.TryAddWithoutValidation("Range", range);
        var response = await consumer.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Csv.Length, (await response.Content.ReadAsByteArrayAsync(Ct)).Length);
    }

    [Fact]
    public async Task If_Range_resumes_only_the_same_content()
    {
        var (_, consumer, id, _) = await Published();
        var etag = $"\"{DatasetFlow.Sha256Hex(Csv)}\"";

        var same = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(id, 1, CsvPath));
        same.Headers.TryAddWithoutValidation("Range", "bytes=1000-");
        same.Headers.TryAddWithoutValidation("If-Range", etag);
        var resumed = await consumer.SendAsync(same, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, resumed.StatusCode);
        Assert.Equal(Csv[1000..], await resumed.Content.ReadAsByteArrayAsync(Ct));

        var changed = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(id, 1, CsvPath));
        changed.Headers.TryAddWithoutValidation("Range", "bytes=1000-");
        changed.Headers.TryAddWithoutValidation("If-Range", "\"0000\"");
        var restarted = await consumer.SendAsync(changed, Ct);
        Assert.Equal(HttpStatusCode.OK, restarted.StatusCode);
        Assert.Equal(Csv, await restarted.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task If_None_Match_with_the_etag_is_304()
    {
        var (_, consumer, id, _) = await Published();
        var request = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(id, 1, CsvPath));
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{DatasetFlow.Sha256Hex(Csv)}\""));
        Assert.Equal(HttpStatusCode.NotModified, (await consumer.SendAsync(request, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_paid_datasets_files_need_an_entitlement_but_the_owner_always_may()
    {
        var (owner, consumer, id, _) = await Published("paid");
        await (await consumer.GetAsync(DatasetFlow.FileUrl(id, 1, CsvPath), Ct)).AssertProblem(HttpStatusCode.Forbidden, "entitlement_required");
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(DatasetFlow.FileUrl(id, 1, CsvPath), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await consumer.GetAsync($"/v1/datasets/{id}/versions/1", Ct)).StatusCode);
    }

    [Fact]
    public async Task Unknown_files_versions_and_other_units_drafts_are_404()
    {
        var (owner, consumer, id, _) = await Published();
        await (await consumer.GetAsync(DatasetFlow.FileUrl(id, 1, "nope.csv"), Ct)).AssertProblem(HttpStatusCode.NotFound, "file_not_found");
        await (await consumer.GetAsync(DatasetFlow.FileUrl(id, 7, CsvPath), Ct)).AssertProblem(HttpStatusCode.NotFound, "version_not_found");
        var draft = await DatasetFlow.CreateAsync(owner);
        var v = await DatasetFlow.OpenVersionAsync(owner, draft);
        await DatasetFlow.UploadAsync(owner, draft, v, "secret.csv", "s\n"u8.ToArray());
        await (await consumer.GetAsync(DatasetFlow.FileUrl(draft, v, "secret.csv"), Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(DatasetFlow.FileUrl(draft, v, "secret.csv"), Ct)).StatusCode);
    }

    [Fact]
    public async Task A_download_aborted_halfway_is_metered_with_the_bytes_really_sent()
    {
        var big = DatasetFlow.RandomBytes(24 * 1024 * 1024);
        var (_, consumer, id, _) = await Published(files: new Dictionary<string, byte[]> { ["big.bin"] = big });
        var token = consumer.DefaultRequestHeaders.Authorization!.Parameter;

        using (var socket = new TcpClient())
        {
            socket.ReceiveBufferSize = 64 * 1024;
            await socket.ConnectAsync(api.BaseAddress.Host, api.BaseAddress.Port, Ct);
            var stream = socket.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"GET {DatasetFlow.FileUrl(id, 1, "big.bin")} HTTP/1.1\r\nHost: {api.BaseAddress.Authority}\r\nAuthorization: Bearer {token}\r\n\r\n"), Ct);
            var buffer = new byte[64 * 1024];
            var received = 0;
            while (received < 2 * 1024 * 1024)
            {
                received += await stream.ReadAsync(buffer, Ct);
            }

            socket.Client.LingerState = new LingerOption(true, 0);
        }

        var events = await Events(id);

        var e = events.Single();
        Assert.Equal("aborted", e.Status);
        Assert.Equal(big.Length, e.BytesRequested);
        // The server counts the writes that completed; the one the abort interrupted may have reached the client in part, so
        // the client can have seen up to one copy buffer (256 KiB) more than was metered: metering never overbills.
        Assert.InRange(e.BytesSent, (2L * 1024 * 1024) - (64 * 1024) - (256 * 1024), big.Length - 1);
    }

    [Fact]
    public async Task A_hundred_concurrent_downloads_make_exactly_a_hundred_events_whose_bytes_add_up()
    {
        var (_, consumer, id, _) = await Published();
        var url = DatasetFlow.FileUrl(id, 1, CsvPath);

        var bodies = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => consumer.GetByteArrayAsync(url, Ct)));

        Assert.All(bodies, b => Assert.Equal(Csv.Length, b.Length));
        var events = await Events(id);
        Assert.Equal(100, events.Count);
        Assert.All(events, e => Assert.Equal("completed", e.Status));
        Assert.Equal(100L * Csv.Length, events.Sum(e => e.BytesSent));
    }
}
