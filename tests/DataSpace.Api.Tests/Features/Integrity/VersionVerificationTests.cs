using Microsoft.Extensions.Logging;

namespace DataSpace.Api.Tests.Features.Integrity;

/// <summary>
/// Content whose bytes changed behind the API's back while keeping their length (a flipped sector, a tampered object): a size
/// check cannot see it, reading the bytes back and hashing them can. The owner's verification finds it, downloads then refuse
/// it with content_unavailable, the owner's audit log shows it, and an upload of the original content restores it.
/// </summary>
public sealed class VersionVerificationTests(FileSystemApiFactory fixture) : IClassFixture<FileSystemApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DataSpaceApiFactory Api => fixture.Api;

    private static async Task<JsonElement> Verify(HttpClient owner, string id, int version) =>
        await (await owner.PostAsync($"/v1/datasets/{id}/versions/{version}/verification", null, Ct)).AssertJson();

    private static string StatusOf(JsonElement verification, string path) =>
        verification.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("path").GetString() == path).GetProperty("status").GetString()!;

    [Fact]
    public async Task Same_size_other_bytes_are_found_refused_audited_and_restored_by_uploading_the_original()
    {
        using var owner = await Api.ClientFor(await Api.OrganizationAsync("位翻转的数源单位", "source_unit"));
        using var reader = await Api.ClientFor(await Api.OrganizationAsync("读取位翻转内容的模型方", "model_builder"));
        var content = DatasetFlow.RandomBytes(50_000);
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["data.bin"] = content, ["ok.csv"] = "a,b\n1,2\n"u8.ToArray() });

        var before = await Verify(owner, id, 1);
        Assert.True(before.GetProperty("intact").GetBoolean());
        Assert.Equal("intact", StatusOf(before, "data.bin"));

        // One byte flipped in place: same length, so the commit-time size check and the download's size check both pass.
        var blob = await Api.BlobFileOfAsync(id, "data.bin");
        var damaged = (byte[])content.Clone();
        damaged[12_345] ^= 0x01;
        await File.WriteAllBytesAsync(blob, damaged, Ct);

        var after = await Verify(owner, id, 1);
        Assert.False(after.GetProperty("intact").GetBoolean());
        Assert.Equal("sha256", StatusOf(after, "data.bin"));
        Assert.Equal("intact", StatusOf(after, "ok.csv"));
        Assert.Equal(DatasetFlow.Sha256Hex(content), after.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("path").GetString() == "data.bin").GetProperty("sha256").GetString());

        // Wrong bytes are never served, whole or in part, and the refusal is data loss, not the caller's mistake.
        var full = await reader.GetAsync(DatasetFlow.FileUrl(id, 1, "data.bin"), Ct);
        await full.AssertProblem(HttpStatusCode.InternalServerError, "content_unavailable");
        Assert.False(full.Headers.Contains("Content-Digest"));
        using (var ranged = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(id, 1, "data.bin")))
        {
            ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 99);
            await (await reader.SendAsync(ranged, Ct)).AssertProblem(HttpStatusCode.InternalServerError, "content_unavailable");
        }

        Assert.Equal("a,b\n1,2\n", await (await reader.GetAsync(DatasetFlow.FileUrl(id, 1, "ok.csv"), Ct)).Content.ReadAsStringAsync(Ct));
        Assert.Contains(Api.Logs.Entries, e => e.Level == LogLevel.Critical && e.Line.Contains(DatasetFlow.Sha256Hex(content), StringComparison.Ordinal));

        // The owner sees it in its audit log: found once, not again at the next verification.
        await Verify(owner, id, 1);
        var events = (await (await owner.GetAsync("/v1/audit?limit=100", Ct)).AssertJson()).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("action").GetString() == "damage_detected").ToList();
        var detected = Assert.Single(events);
        Assert.Equal(DatasetFlow.Sha256Hex(content), detected.GetProperty("object_id").GetString());

        // The owner restores it: uploading the original content again (to a new draft) replaces the damaged copy.
        var draft = await DatasetFlow.OpenVersionAsync(owner, id, "恢复损坏的文件");
        await (await DatasetFlow.UploadAsync(owner, id, draft, "data.bin", content)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(content, await (await reader.GetAsync(DatasetFlow.FileUrl(id, 1, "data.bin"), Ct)).Content.ReadAsByteArrayAsync(Ct));
        Assert.True((await Verify(owner, id, 1)).GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task A_missing_or_cut_blob_is_reported_by_what_is_wrong_and_a_commit_refuses_damaged_content()
    {
        using var owner = await Api.ClientFor(await Api.OrganizationAsync("缺块的数源单位", "source_unit"));
        var id = await DatasetFlow.CreateAsync(owner);
        var version = await DatasetFlow.OpenVersionAsync(owner, id);
        var gone = DatasetFlow.RandomBytes(3000);
        var cut = DatasetFlow.RandomBytes(3000);
        var flipped = DatasetFlow.RandomBytes(3000);
        foreach (var (path, bytes) in new[] { ("gone.bin", gone), ("cut.bin", cut), ("flipped.bin", flipped) })
        {
            await (await DatasetFlow.UploadAsync(owner, id, version, path, bytes)).AssertJson(HttpStatusCode.Created);
        }

        File.Delete(await Api.BlobFileOfAsync(id, "gone.bin"));
        await File.WriteAllBytesAsync(await Api.BlobFileOfAsync(id, "cut.bin"), cut[..1000], Ct);
        flipped[0] ^= 0xFF;
        await File.WriteAllBytesAsync(await Api.BlobFileOfAsync(id, "flipped.bin"), flipped, Ct);

        var verification = await Verify(owner, id, version);
        Assert.Equal("missing", StatusOf(verification, "gone.bin"));
        Assert.Equal("size", StatusOf(verification, "cut.bin"));
        Assert.Equal("sha256", StatusOf(verification, "flipped.bin"));

        // A commit freezes only content that is there as recorded: a size check alone would have let flipped.bin through.
        var refused = await (await owner.PostAsync($"/v1/datasets/{id}/versions/{version}/commit", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "version_content_missing");
        Assert.Equal(["cut.bin", "flipped.bin", "gone.bin"], refused.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task A_second_verification_while_one_runs_is_refused_with_retry_after_and_changes_nothing()
    {
        using var owner = await Api.ClientFor(await Api.OrganizationAsync("并发校验的数源单位", "source_unit"));
        var content = DatasetFlow.RandomBytes(4000);
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["held.bin"] = content });

        // The first verification is held where it records its finding: this transaction locks the blob's row.
        await using var hold = new Npgsql.NpgsqlConnection(Api.ConnectionString);
        await hold.OpenAsync(Ct);
        await using var tx = await hold.BeginTransactionAsync(Ct);
        await Dapper.SqlMapper.ExecuteAsync(hold, "select 1 from blobs where sha256 = @sha for update",
            new { sha = System.Security.Cryptography.SHA256.HashData(content) }, tx);
        var first = owner.PostAsync($"/v1/datasets/{id}/versions/1/verification", null, Ct);
        await using (var watch = new Npgsql.NpgsqlConnection(Api.ConnectionString))
        {
            // Until the API's session waits on that lock (a hang detector bounds it, not a timing assertion).
            using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            hang.CancelAfter(TimeSpan.FromSeconds(120));
            while (await Dapper.SqlMapper.ExecuteScalarAsync<long>(watch, """
                select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid
                where not l.granted and a.query like '%from blobs where sha256%for update%' and a.pid <> pg_backend_pid()
                """) == 0)
            {
                Assert.False(first.IsCompleted, "the first verification finished while its row was locked");
                await Task.Delay(50, hang.Token);
            }
        }

        var second = await owner.PostAsync($"/v1/datasets/{id}/versions/1/verification", null, Ct);
        await second.AssertProblem(HttpStatusCode.TooManyRequests, "verification_in_progress");
        Assert.Equal(TimeSpan.FromSeconds(10), second.Headers.RetryAfter?.Delta);

        await tx.CommitAsync(Ct);
        var done = await (await first).AssertJson();
        Assert.True(done.GetProperty("intact").GetBoolean());
        Assert.True((await Verify(owner, id, 1)).GetProperty("intact").GetBoolean()); // and the next one runs
    }

    [Fact]
    public async Task Only_the_owner_verifies_and_an_unknown_version_is_not_found()
    {
        using var owner = await Api.ClientFor(await Api.OrganizationAsync("校验权限的数源单位", "source_unit"));
        using var other = await Api.ClientFor(await Api.OrganizationAsync("别人的数源单位", "source_unit"));
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["a.csv"] = "x\n1\n"u8.ToArray() });

        await (await other.PostAsync($"/v1/datasets/{id}/versions/1/verification", null, Ct)).AssertProblem(HttpStatusCode.Forbidden, "not_dataset_owner");
        await (await owner.PostAsync($"/v1/datasets/{id}/versions/9/verification", null, Ct)).AssertProblem(HttpStatusCode.NotFound, "version_not_found");
        await (await owner.PostAsync($"/v1/datasets/{Guid.NewGuid()}/versions/1/verification", null, Ct)).AssertProblem(HttpStatusCode.NotFound, "dataset_not_found");
        using var anonymous = Api.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/v1/datasets/{id}/versions/1/verification", null, Ct)).StatusCode);
    }
}
