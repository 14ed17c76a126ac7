using Dapper;

namespace DataSpace.Api.Tests.Features.Versions;

/// <summary>The API pointed at a blob endpoint where nothing listens: uploads answer 503 and record nothing.</summary>
public sealed class BlobStoreDownTests : IAsyncLifetime
{
    private readonly DataSpaceApiFactory _api = new DataSpaceApiFactory().WithSetting("BlobStorage:AzureEndpoint", "http://127.0.0.1:1/devstoreaccount1");

    public ValueTask InitializeAsync() => _api.InitializeAsync();

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task An_upload_is_503_with_Retry_After_and_nothing_is_half_recorded()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = await _api.ClientFor(await _api.OrganizationAsync("存储故障数源单位", "source_unit"));
        var id = await DatasetFlow.CreateAsync(owner);
        var version = await DatasetFlow.OpenVersionAsync(owner, id);

        var response = await DatasetFlow.UploadAsync(owner, id, version, "a.csv", "a\n"u8.ToArray());

        await response.AssertProblem(HttpStatusCode.ServiceUnavailable, "blob_store_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
        await using var conn = new Npgsql.NpgsqlConnection(_api.ConnectionString);
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("select count(*) from version_files"));
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("select count(*) from blobs"));
    }
}
