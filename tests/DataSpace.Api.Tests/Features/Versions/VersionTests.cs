using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace DataSpace.Api.Tests.Features.Versions;

public sealed class VersionTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpClient> Owner() => await api.ClientFor(await api.OrganizationAsync("版本测试数源单位", "source_unit"));

    [Fact]
    public async Task Committing_freezes_the_manifest_with_the_documented_hash()
    {
        using var owner = await Owner();
        var id = await DatasetFlow.CreateAsync(owner);
        var version = await DatasetFlow.OpenVersionAsync(owner, id, "2025 年全年数据");
        var files = new Dictionary<string, byte[]>
        {
            ["b.csv"] = "b\n"u8.ToArray(),
            ["A.csv"] = "A\n"u8.ToArray(),
            ["灯具/明细.csv"] = "灯\n"u8.ToArray(),
            ["a/z.jsonl"] = "{}\n"u8.ToArray(),
        };
        foreach (var (path, content) in files)
        {
            await (await DatasetFlow.UploadAsync(owner, id, version, path, content)).AssertJson(HttpStatusCode.Created);
        }

        var committed = await (await owner.PostAsync($"/v1/datasets/{id}/versions/{version}/commit", null, Ct)).AssertJson();

        // Canonical form: lines "{sha256 hex}  {size}  {path}\n" in UTF-8 byte order of the path.
        var canonical = new StringBuilder();
        foreach (var (path, content) in files.OrderBy(f => Encoding.UTF8.GetBytes(f.Key), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))))
        {
            canonical.Append(DatasetFlow.Sha256Hex(content)).Append("  ").Append(content.Length).Append("  ").Append(path).Append('\n');
        }

        Assert.Equal("committed", committed.GetProperty("status").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()))), committed.GetProperty("manifest_sha256").GetString());
        Assert.Equal(4, committed.GetProperty("file_count").GetInt32());
        Assert.Equal(files.Values.Sum(f => f.Length), committed.GetProperty("total_bytes").GetInt64());
        Assert.Equal(["A.csv", "a/z.jsonl", "b.csv", "灯具/明细.csv"], committed.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()!));
        await (await owner.PostAsync($"/v1/datasets/{id}/versions/{version}/commit", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "version_committed");
    }

    [Fact]
    public async Task An_empty_draft_cannot_be_committed_and_only_one_draft_is_open_at_a_time()
    {
        using var owner = await Owner();
        var id = await DatasetFlow.CreateAsync(owner);
        var version = await DatasetFlow.OpenVersionAsync(owner, id);
        await (await owner.PostAsJsonAsync($"/v1/datasets/{id}/versions", new { notes = "第二个草稿" }, Ct)).AssertProblem(HttpStatusCode.Conflict, "draft_version_exists");
        await (await owner.PostAsync($"/v1/datasets/{id}/versions/{version}/commit", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "version_empty");

        await DatasetFlow.UploadAsync(owner, id, version, "a.csv", "a\n"u8.ToArray());
        await DatasetFlow.CommitAsync(owner, id, version);
        Assert.Equal(2, await DatasetFlow.OpenVersionAsync(owner, id));
    }

    [Fact]
    public async Task Concurrent_version_openings_open_exactly_one_draft()
    {
        using var owner = await Owner();
        var id = await DatasetFlow.CreateAsync(owner);
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => owner.PostAsJsonAsync($"/v1/datasets/{id}/versions", new { }, Ct)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Latest_resolves_to_the_newest_committed_version_and_drafts_stay_private()
    {
        using var owner = await Owner();
        using var other = await api.ClientFor(await api.OrganizationAsync("读者", "model_builder"));
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["v1.csv"] = "1\n"u8.ToArray() });
        var v2 = await DatasetFlow.OpenVersionAsync(owner, id, "草稿中的第二版");
        await DatasetFlow.UploadAsync(owner, id, v2, "v2.csv", "2\n"u8.ToArray());

        Assert.Equal(1, (await (await other.GetAsync($"/v1/datasets/{id}/versions/latest", Ct)).AssertJson()).GetProperty("number").GetInt32());
        await (await other.GetAsync($"/v1/datasets/{id}/versions/2", Ct)).AssertProblem(HttpStatusCode.NotFound, "version_not_found");
        var othersList = await (await other.GetAsync($"/v1/datasets/{id}/versions", Ct)).AssertJson();
        Assert.Equal([1], othersList.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("number").GetInt32()));
        var ownersList = await (await owner.GetAsync($"/v1/datasets/{id}/versions", Ct)).AssertJson();
        Assert.Equal([2, 1], ownersList.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("number").GetInt32()));

        await DatasetFlow.CommitAsync(owner, id, v2);
        Assert.Equal(2, (await (await other.GetAsync($"/v1/datasets/{id}/versions/latest", Ct)).AssertJson()).GetProperty("number").GetInt32());
        await (await other.GetAsync($"/v1/datasets/{id}/versions/zero", Ct)).AssertProblem(HttpStatusCode.NotFound, "version_not_found");
        await (await other.GetAsync($"/v1/datasets/{id}/versions/0", Ct)).AssertProblem(HttpStatusCode.NotFound, "version_not_found");
    }

    [Fact]
    public async Task The_database_itself_refuses_to_change_a_committed_version()
    {
        using var owner = await Owner();
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["frozen.csv"] = "x\n"u8.ToArray() });
        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);

        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("update dataset_versions set notes = 'rewritten' where dataset_id = @id", new { id = Guid.Parse(id) }));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("delete from version_files where dataset_id = @id", new { id = Guid.Parse(id) }));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("update version_files set size = 0 where dataset_id = @id", new { id = Guid.Parse(id) }));
    }

    [Fact]
    public async Task A_multi_block_file_round_trips_byte_for_byte_through_the_blob_store()
    {
        // 20 MiB + 3 bytes crosses the Azure adapter's 8 MiB block boundaries when Azurite runs.
        using var owner = await Owner();
        var content = DatasetFlow.RandomBytes((20 * 1024 * 1024) + 3);
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["big/sensor.bin"] = content });

        var response = await owner.GetAsync(DatasetFlow.FileUrl(id, 1, "big/sensor.bin"), HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var body = await response.Content.ReadAsStreamAsync(Ct);
        var hash = await SHA256.HashDataAsync(body, Ct);

        Assert.Equal(DatasetFlow.Sha256Hex(content), Convert.ToHexStringLower(hash));
    }
}
