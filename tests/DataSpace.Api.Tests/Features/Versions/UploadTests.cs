using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace DataSpace.Api.Tests.Features.Versions;

/// <summary>Uploads on the filesystem store, where the test can see every blob that exists.</summary>
public sealed class UploadTests(FileSystemApiFactory fixture) : IClassFixture<FileSystemApiFactory>
{
    private readonly DataSpaceApiFactory _api = fixture.Api;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpClient Owner, string Dataset, int Version)> Draft()
    {
        var owner = await _api.ClientFor(await _api.OrganizationAsync("上传测试数源单位", "source_unit"));
        var id = await DatasetFlow.CreateAsync(owner);
        return (owner, id, await DatasetFlow.OpenVersionAsync(owner, id));
    }

    private async Task<long> Count(string sql, object? args = null)
    {
        await using var conn = new Npgsql.NpgsqlConnection(_api.ConnectionString);
        return await conn.ExecuteScalarAsync<long>(sql, args);
    }

    [Fact]
    public async Task A_file_with_a_Chinese_path_is_hashed_and_listed_in_the_draft()
    {
        var (owner, id, version) = await Draft();
        var content = Encoding.UTF8.GetBytes("月份,国家,金额（元）\n2025-01,德国,1234567\n");

        var response = await DatasetFlow.UploadAsync(owner, id, version, "2025/灯具出口明细.csv", content);

        var file = await response.AssertJson(HttpStatusCode.Created);
        Assert.Equal("2025/灯具出口明细.csv", file.GetProperty("path").GetString());
        Assert.Equal(content.Length, file.GetProperty("size").GetInt64());
        Assert.Equal(DatasetFlow.Sha256Hex(content), file.GetProperty("sha256").GetString());
        Assert.Equal("text/csv", file.GetProperty("content_type").GetString());
        var draft = await (await owner.GetAsync($"/v1/datasets/{id}/versions/{version}", Ct)).AssertJson();
        Assert.Equal("draft", draft.GetProperty("status").GetString());
        Assert.Equal(1, draft.GetProperty("file_count").GetInt32());
    }

    [Theory]
    [InlineData("清单.csv", "text/csv; charset=utf-8", "text/csv; charset=utf-8")]
    [InlineData("清单.csv", "application/vnd.ms-excel", "application/vnd.ms-excel")]
    [InlineData("报告.pdf", "application/pdf", "application/pdf")]
    [InlineData("notes", "application/x-custom", "application/x-custom")]
    [InlineData("报告.pdf", "application/octet-stream", "application/pdf")]
    public async Task A_declared_content_type_is_stored_and_served_back(string path, string declared, string stored)
    {
        var (owner, id, version) = await Draft();
        var content = Encoding.UTF8.GetBytes("a,b\n1,2\n");

        var file = await (await DatasetFlow.UploadAsync(owner, id, version, path, content, declared)).AssertJson(HttpStatusCode.Created);

        Assert.Equal(stored, file.GetProperty("content_type").GetString());
        var get = await owner.GetAsync(DatasetFlow.FileUrl(id, version, path), Ct);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(stored, get.Content.Headers.ContentType?.ToString());
        using var head = await owner.SendAsync(new HttpRequestMessage(HttpMethod.Head, DatasetFlow.FileUrl(id, version, path)), Ct);
        Assert.Equal(stored, head.Content.Headers.ContentType?.ToString());
    }

    [Theory]
    [InlineData("清单.csv", "application/pdf", "content_type_mismatch")]
    [InlineData("报告.pdf", "text/csv", "content_type_mismatch")]
    [InlineData("清单.csv", "text/*", "unsupported_media_type")]
    public async Task A_content_type_that_contradicts_the_file_name_is_refused_and_stores_nothing(string path, string declared, string code)
    {
        var (owner, id, version) = await Draft();
        var content = Encoding.UTF8.GetBytes($"a,b\n1,{Guid.NewGuid()}\n");

        var problem = await (await DatasetFlow.UploadAsync(owner, id, version, path, content, declared)).AssertProblem(HttpStatusCode.UnsupportedMediaType, code);

        Assert.Contains(declared, problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.Equal(0, await Count("select count(*) from version_files where dataset_id = @id", new { id = Guid.Parse(id) }));
        Assert.Equal(0, await Count("select count(*) from blobs where sha256 = @h", new { h = SHA256.HashData(content) }));
    }

    [Fact]
    public async Task Uploading_the_same_path_again_replaces_the_file()
    {
        var (owner, id, version) = await Draft();
        await (await DatasetFlow.UploadAsync(owner, id, version, "a.jsonl", "{\"a\":1}\n"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        var replaced = await (await DatasetFlow.UploadAsync(owner, id, version, "a.jsonl", "{\"a\":2}\n"u8.ToArray())).AssertJson(HttpStatusCode.OK);
        Assert.Equal(DatasetFlow.Sha256Hex("{\"a\":2}\n"u8.ToArray()), replaced.GetProperty("sha256").GetString());
        Assert.Equal("application/jsonl", replaced.GetProperty("content_type").GetString());
    }

    [Fact]
    public async Task Identical_content_is_stored_once()
    {
        var (owner, id, version) = await Draft();
        var content = DatasetFlow.RandomBytes(300_000);
        var before = _api.StoredBlobFiles().Count;

        await (await DatasetFlow.UploadAsync(owner, id, version, "copy-1.bin", content)).AssertJson(HttpStatusCode.Created);
        await (await DatasetFlow.UploadAsync(owner, id, version, "目录/copy-2.bin", content)).AssertJson(HttpStatusCode.Created);
        var (owner2, id2, version2) = await Draft();
        await (await DatasetFlow.UploadAsync(owner2, id2, version2, "other-unit.bin", content)).AssertJson(HttpStatusCode.Created);

        Assert.Equal(before + 1, _api.StoredBlobFiles().Count);
        Assert.Equal(1, await Count("select count(*) from blobs where sha256 = @h", new { h = SHA256.HashData(content) }));
    }

    [Fact]
    public async Task Concurrent_uploads_of_identical_content_keep_exactly_one_blob()
    {
        var (owner, id, version) = await Draft();
        var content = DatasetFlow.RandomBytes(200_000);
        var before = _api.StoredBlobFiles().Count;

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => DatasetFlow.UploadAsync(owner, id, version, $"parallel-{i}.bin", content)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(before + 1, _api.StoredBlobFiles().Count);
    }

    [Fact]
    public async Task A_matching_content_digest_is_accepted_and_a_wrong_one_stores_nothing()
    {
        var (owner, id, version) = await Draft();
        var content = DatasetFlow.RandomBytes(50_000);
        var good = new ByteArrayContent(content);
        good.Headers.Add("Content-Digest", $"sha-512=:AAAA:, sha-256=:{Convert.ToBase64String(SHA256.HashData(content))}:");
        await (await owner.PutAsync(DatasetFlow.FileUrl(id, version, "good.bin"), good, Ct)).AssertJson(HttpStatusCode.Created);

        var before = _api.StoredBlobFiles().Count;
        var bad = new ByteArrayContent(DatasetFlow.RandomBytes(50_000));
        bad.Headers.Add("Repr-Digest", $"sha-256=:{Convert.ToBase64String(SHA256.HashData(content))}:");
        await (await owner.PutAsync(DatasetFlow.FileUrl(id, version, "bad.bin"), bad, Ct)).AssertProblem(HttpStatusCode.BadRequest, "digest_mismatch");

        Assert.Equal(before, _api.StoredBlobFiles().Count);
        Assert.Equal(0, await Count("select count(*) from version_files where path = 'bad.bin'"));
    }

    [Theory]
    [InlineData("sha-256=AAAA")]
    [InlineData("sha-256=:not base64:")]
    [InlineData("sha-256=:AAAA:")]
    public async Task A_malformed_digest_is_refused_before_reading_the_body(string header)
    {
        var (owner, id, version) = await Draft();
        var body = new ByteArrayContent("x"u8.ToArray());
        body.Headers.Add("Content-Digest", header);
        await (await owner.PutAsync(DatasetFlow.FileUrl(id, version, "x.bin"), body, Ct)).AssertProblem(HttpStatusCode.BadRequest, "invalid_digest");
    }

    [Theory]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("a/../b.csv")]
    [InlineData("a/%2E%2E/b.csv")]
    [InlineData("./a.csv")]
    [InlineData("a//b.csv")]
    [InlineData("a/")]
    [InlineData("%2Fabsolute.csv")]
    [InlineData("a%5Cb.csv")]
    [InlineData("C:%5Cwindows.csv")]
    [InlineData("bell%07.csv")]
    [InlineData("evil%E2%80%AEvsc.exe")]
    [InlineData("bad%FFutf8.csv")]
    [InlineData("half%E7%81.csv")]
    [InlineData("bad%zzescape.csv")]
    public async Task Hostile_paths_are_refused_and_store_nothing(string rawPath)
    {
        var (owner, id, version) = await Draft();
        var before = _api.StoredBlobFiles().Count;
        var response = await owner.PutAsync(RawUri($"/v1/datasets/{id}/versions/{version}/files/{rawPath}"), new ByteArrayContent("x"u8.ToArray()), Ct);
        await response.AssertProblem(HttpStatusCode.BadRequest, "invalid_file_path");
        Assert.Equal(before, _api.StoredBlobFiles().Count);
        Assert.Equal(0, await Count("select count(*) from version_files where dataset_id = @id", new { id = Guid.Parse(id) }));
    }

    [Fact]
    public async Task A_NUL_in_the_path_is_refused_by_the_server_before_the_API_and_stores_nothing()
    {
        // Kestrel rejects %00 in a request target itself, with a bare 400, before any middleware runs.
        var (owner, id, version) = await Draft();
        var before = _api.StoredBlobFiles().Count;
        var response = await owner.PutAsync(RawUri($"/v1/datasets/{id}/versions/{version}/files/nul%00.csv"), new ByteArrayContent("x"u8.ToArray()), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, _api.StoredBlobFiles().Count);
    }

    /// <summary>A URI sent exactly as written: HttpClient would otherwise remove dot segments and re-escape before sending.</summary>
    private Uri RawUri(string pathAndQuery) =>
        new(_api.BaseAddress.GetLeftPart(UriPartial.Authority) + pathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    [Fact]
    public async Task A_path_longer_than_255_bytes_of_UTF8_is_refused_but_255_is_fine()
    {
        var (owner, id, version) = await Draft();
        var exactly255 = new string('灯', 85); // 85 × 3 bytes
        await (await DatasetFlow.UploadAsync(owner, id, version, exactly255, "x"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        await (await DatasetFlow.UploadAsync(owner, id, version, exactly255 + "a", "x"u8.ToArray())).AssertProblem(HttpStatusCode.BadRequest, "invalid_file_path");
    }

    [Fact]
    public async Task Paths_are_NFC_normalised()
    {
        var (owner, id, version) = await Draft();
        var decomposed = "cafe\u0301/re\u0301sume\u0301.txt";
        var file = await (await DatasetFlow.UploadAsync(owner, id, version, decomposed, "x"u8.ToArray())).AssertJson(HttpStatusCode.Created);
        Assert.Equal("café/résumé.txt", file.GetProperty("path").GetString());
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(DatasetFlow.FileUrl(id, version, "café/résumé.txt"), Ct)).StatusCode);
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_is_413_and_stores_nothing()
    {
        var (owner, id, version) = await Draft();
        var before = _api.StoredBlobFiles().Count;
        var response = await DatasetFlow.UploadAsync(owner, id, version, "huge.bin", new byte[FileSystemApiFactory.MaxFileBytes + 1]);
        await response.AssertProblem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Equal(before, _api.StoredBlobFiles().Count);
    }

    [Fact]
    public async Task A_chunked_body_that_grows_past_the_limit_is_413_and_stores_nothing()
    {
        var (owner, id, version) = await Draft();
        var before = _api.StoredBlobFiles().Count;
        var content = new StreamContent(new MemoryStream(new byte[FileSystemApiFactory.MaxFileBytes + 100_000]));
        var request = new HttpRequestMessage(HttpMethod.Put, DatasetFlow.FileUrl(id, version, "chunked.bin")) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await owner.SendAsync(request, Ct);

        await response.AssertProblem(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Equal(before, _api.StoredBlobFiles().Count);
        Assert.Equal(0, await Count("select count(*) from version_files where path = 'chunked.bin'"));
    }

    [Fact]
    public async Task A_file_of_exactly_the_limit_is_accepted()
    {
        var (owner, id, version) = await Draft();
        await (await DatasetFlow.UploadAsync(owner, id, version, "limit.bin", DatasetFlow.RandomBytes(FileSystemApiFactory.MaxFileBytes))).AssertJson(HttpStatusCode.Created);
    }

    [Fact]
    public async Task An_upload_cut_off_halfway_leaves_no_file_record_and_no_blob()
    {
        var (owner, id, version) = await Draft();
        var token = owner.DefaultRequestHeaders.Authorization!.Parameter;
        var before = _api.StoredBlobFiles().Count;

        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(_api.BaseAddress.Host, _api.BaseAddress.Port, Ct);
            var stream = socket.GetStream();
            var head = $"PUT {DatasetFlow.FileUrl(id, version, "cut.bin")} HTTP/1.1\r\nHost: {_api.BaseAddress.Authority}\r\n" +
                $"Authorization: Bearer {token}\r\nContent-Type: application/octet-stream\r\nContent-Length: 3000000\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
            await stream.WriteAsync(DatasetFlow.RandomBytes(1_000_000), Ct);
            await stream.FlushAsync(Ct);
            socket.Client.LingerState = new LingerOption(true, 0); // reset, as a dying client would
        }

        // The server notices the reset asynchronously: wait (with a deadline) until it has cleaned up.
        var deadline = DateTime.UtcNow.AddSeconds(120); // a hang detector, generous for a loaded machine
        while (DateTime.UtcNow < deadline && _api.StoredBlobFiles().Count != before)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Equal(before, _api.StoredBlobFiles().Count);
        Assert.Equal(0, await Count("select count(*) from version_files where path = 'cut.bin'"));
        // The API is still healthy for the next upload.
        await (await DatasetFlow.UploadAsync(owner, id, version, "after.bin", "ok"u8.ToArray())).AssertJson(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Only_the_owner_uploads_and_only_into_drafts()
    {
        var (owner, id, version) = await Draft();
        using var stranger = await _api.ClientFor(await _api.OrganizationAsync("别家数源单位", "source_unit"));
        await (await DatasetFlow.UploadAsync(stranger, id, version, "x.bin", "x"u8.ToArray())).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        using var builder = await _api.ClientFor(await _api.OrganizationAsync("模型方", "model_builder"));
        await (await DatasetFlow.UploadAsync(builder, id, version, "x.bin", "x"u8.ToArray())).AssertProblem(HttpStatusCode.Forbidden, "role_required");

        await DatasetFlow.UploadAsync(owner, id, version, "x.bin", "x"u8.ToArray());
        await DatasetFlow.CommitAsync(owner, id, version);
        await (await DatasetFlow.UploadAsync(owner, id, version, "late.bin", "x"u8.ToArray())).AssertProblem(HttpStatusCode.Conflict, "version_committed");
        await (await owner.DeleteAsync(DatasetFlow.FileUrl(id, version, "x.bin"), Ct)).AssertProblem(HttpStatusCode.Conflict, "version_committed");
        await (await DatasetFlow.UploadAsync(owner, id, 99, "x.bin", "x"u8.ToArray())).AssertProblem(HttpStatusCode.NotFound, "version_not_found");
    }

    [Fact]
    public async Task A_file_can_be_removed_from_a_draft()
    {
        var (owner, id, version) = await Draft();
        await DatasetFlow.UploadAsync(owner, id, version, "keep.csv", "a\n"u8.ToArray());
        await DatasetFlow.UploadAsync(owner, id, version, "drop.csv", "b\n"u8.ToArray());
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync(DatasetFlow.FileUrl(id, version, "drop.csv"), Ct)).StatusCode);
        await (await owner.DeleteAsync(DatasetFlow.FileUrl(id, version, "drop.csv"), Ct)).AssertProblem(HttpStatusCode.NotFound, "file_not_found");
        var draft = await (await owner.GetAsync($"/v1/datasets/{id}/versions/{version}", Ct)).AssertJson();
        Assert.Equal(["keep.csv"], draft.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()!));
    }
}
