using Microsoft.Extensions.Logging;

namespace DataSpace.Api.Tests.Features.Versions;

/// <summary>
/// Content the blob store lost after acknowledging it (deleted or cut behind the API's back, as a crashed store loses
/// it): a commit refuses to freeze it, and downloads say so with a stable code and a Critical log, never a bare 500.
/// </summary>
public sealed class LostContentTests(FileSystemApiFactory fixture) : IClassFixture<FileSystemApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DataSpaceApiFactory Api => fixture.Api;

    private bool LoggedCritically(string datasetId) =>
        Api.Logs.Entries.Any(e => e.Level == LogLevel.Critical && e.Line.Contains(datasetId, StringComparison.Ordinal));

    [Fact]
    public async Task A_commit_refuses_files_the_store_lost_and_a_new_upload_restores_them()
    {
        using var owner = await Api.ClientFor(await Api.OrganizationAsync("丢失上传的数源单位", "source_unit"));
        var id = await DatasetFlow.CreateAsync(owner);
        var version = await DatasetFlow.OpenVersionAsync(owner, id);
        var kept = "kept\n"u8.ToArray();
        var lost = ("lost " + Guid.NewGuid() + "\n").Select(c => (byte)c).ToArray();
        await (await DatasetFlow.UploadAsync(owner, id, version, "kept.csv", kept)).AssertJson(HttpStatusCode.Created);
        await (await DatasetFlow.UploadAsync(owner, id, version, "目录/lost.csv", lost)).AssertJson(HttpStatusCode.Created);
        File.Delete(await Api.BlobFileOfAsync(id, "目录/lost.csv"));

        var refused = await (await owner.PostAsync($"/v1/datasets/{id}/versions/{version}/commit", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "version_content_missing");
        Assert.Equal(["目录/lost.csv"], refused.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("draft", (await (await owner.GetAsync($"/v1/datasets/{id}/versions/{version}", Ct)).AssertJson()).GetProperty("status").GetString());

        // Uploading the same content again stores it anew instead of pointing at the lost copy.
        await (await DatasetFlow.UploadAsync(owner, id, version, "目录/lost.csv", lost)).AssertJson(HttpStatusCode.OK);
        await DatasetFlow.CommitAsync(owner, id, version);
        Assert.Equal(lost, await (await owner.GetAsync(DatasetFlow.FileUrl(id, version, "目录/lost.csv"), Ct)).Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task A_commit_refuses_a_blob_of_another_size()
    {
        using var owner = await Api.ClientFor(await Api.OrganizationAsync("截断上传的数源单位", "source_unit"));
        var id = await DatasetFlow.CreateAsync(owner);
        var version = await DatasetFlow.OpenVersionAsync(owner, id);
        await (await DatasetFlow.UploadAsync(owner, id, version, "cut.bin", DatasetFlow.RandomBytes(4096))).AssertJson(HttpStatusCode.Created);
        await using (var blob = File.OpenWrite(await Api.BlobFileOfAsync(id, "cut.bin")))
        {
            blob.SetLength(1000);
        }

        await (await owner.PostAsync($"/v1/datasets/{id}/versions/{version}/commit", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "version_content_missing");
    }

    [Theory]
    [InlineData("deleted")]
    [InlineData("truncated")]
    public async Task A_download_of_lost_content_is_a_content_unavailable_problem_and_a_critical_log(string damage)
    {
        using var owner = await Api.ClientFor(await Api.OrganizationAsync("存储丢失的数源单位", "source_unit"));
        using var reader = await Api.ClientFor(await Api.OrganizationAsync("下载丢失内容的模型方", "model_builder"));
        var content = DatasetFlow.RandomBytes(10_000);
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["data.bin"] = content });
        var blob = await Api.BlobFileOfAsync(id, "data.bin");
        if (damage == "deleted")
        {
            File.Delete(blob);
        }
        else
        {
            await File.WriteAllBytesAsync(blob, content[..5000], Ct);
        }

        var full = await reader.GetAsync(DatasetFlow.FileUrl(id, 1, "data.bin"), Ct);
        var problem = await full.AssertProblem(HttpStatusCode.InternalServerError, "content_unavailable");
        Assert.False(full.Headers.Contains("Content-Digest"));
        using var ranged = new HttpRequestMessage(HttpMethod.Get, DatasetFlow.FileUrl(id, 1, "data.bin"));
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, 199);
        await (await reader.SendAsync(ranged, Ct)).AssertProblem(HttpStatusCode.InternalServerError, "content_unavailable");
        Assert.True(LoggedCritically(id), "no Critical log line names the dataset");
        Assert.DoesNotContain(Api.BlobRoot, problem.GetRawText(), StringComparison.Ordinal);
    }
}
