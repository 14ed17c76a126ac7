using Dapper;

namespace DataSpace.Api.Tests.Features.Integrity;

/// <summary>An API with the background scrub on, every second: damage nobody asked about is found and refused all the same.</summary>
public sealed class ScrubbingApiFactory : IAsyncLifetime
{
    public DataSpaceApiFactory Api { get; } = new DataSpaceApiFactory()
        .WithFileSystemBlobs()
        .WithSetting("Integrity:Scrub", "true")
        .WithSetting("Integrity:IntervalSeconds", "1");

    public ValueTask InitializeAsync() => Api.InitializeAsync();

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}

public sealed class ContentScrubTests(ScrubbingApiFactory fixture) : IClassFixture<ScrubbingApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DataSpaceApiFactory Api => fixture.Api;

    private async Task<T> Scalar<T>(string sql, object args)
    {
        await using var conn = new Npgsql.NpgsqlConnection(Api.ConnectionString);
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    [Fact]
    public async Task The_scrub_verifies_new_content_and_finds_bytes_changed_later()
    {
        using var owner = await Api.ClientFor(await Api.OrganizationAsync("定期校验的数源单位", "source_unit"));
        using var reader = await Api.ClientFor(await Api.OrganizationAsync("读取定期校验内容的模型方", "model_builder"));
        var content = DatasetFlow.RandomBytes(20_000);
        var sha256 = Convert.FromHexString(DatasetFlow.Sha256Hex(content));
        var id = await DatasetFlow.PublishedAsync(owner, new Dictionary<string, byte[]> { ["scrubbed.bin"] = content });

        // New content is read back first; wait (with a hang detector) until the scrub has been through it.
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        hang.CancelAfter(TimeSpan.FromSeconds(120)); // a hang detector, generous on a loaded machine
        while (await Scalar<DateTime?>("select verified_at from blobs where sha256 = @sha256", new { sha256 }) is null)
        {
            await Task.Delay(100, hang.Token);
        }

        Assert.Null(await Scalar<string?>("select damage from blobs where sha256 = @sha256", new { sha256 }));
        Assert.Equal(content, await (await reader.GetAsync(DatasetFlow.FileUrl(id, 1, "scrubbed.bin"), Ct)).Content.ReadAsByteArrayAsync(Ct));

        // Later the bytes change in place; once the content is due again, the scrub finds it and downloads stop serving it.
        var key = await Scalar<string>("select blob_key from blobs where sha256 = @sha256", new { sha256 });
        var changed = (byte[])content.Clone();
        changed[^1] ^= 0x80;
        await File.WriteAllBytesAsync(Path.Combine(Api.BlobRoot, key), changed, Ct);
        await Scalar<int>("update blobs set verified_at = verified_at - interval '400 days' where sha256 = @sha256 returning 1", new { sha256 });
        while (await Scalar<string?>("select damage from blobs where sha256 = @sha256", new { sha256 }) is null)
        {
            await Task.Delay(100, hang.Token);
        }

        Assert.Equal("sha256", await Scalar<string?>("select damage from blobs where sha256 = @sha256", new { sha256 }));
        await (await reader.GetAsync(DatasetFlow.FileUrl(id, 1, "scrubbed.bin"), Ct)).AssertProblem(HttpStatusCode.InternalServerError, "content_unavailable");
    }
}
