using Azure.Storage;
using Azure.Storage.Blobs;
using Dapper;

namespace DataSpace.Api.Tests.Features.Integrity;

/// <summary>
/// On Azure (Azurite here) the store keeps its own checksum of a blob written in one Put Blob (Content-MD5): it is recorded at
/// upload and compared at commit, so bytes replaced by others of the same length before the commit are refused there.
/// </summary>
public sealed class StoreChecksumTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_commit_refuses_a_blob_whose_store_checksum_changed_since_the_upload()
    {
        Assert.NotNull(TestEnvironment.AzuriteEndpoint);
        using var owner = await api.ClientFor(await api.OrganizationAsync("存储校验和的数源单位", "source_unit"));
        var id = await DatasetFlow.CreateAsync(owner);
        var version = await DatasetFlow.OpenVersionAsync(owner, id);
        var original = DatasetFlow.RandomBytes(5000);
        await (await DatasetFlow.UploadAsync(owner, id, version, "kept.bin", DatasetFlow.RandomBytes(5000))).AssertJson(HttpStatusCode.Created);
        await (await DatasetFlow.UploadAsync(owner, id, version, "swapped.bin", original)).AssertJson(HttpStatusCode.Created);

        await using var conn = new Npgsql.NpgsqlConnection(api.ConnectionString);
        var (key, checksum) = await conn.QuerySingleAsync<(string, byte[]?)>("""
            select b.blob_key, b.store_checksum from version_files f join blobs b on b.sha256 = f.sha256
            where f.dataset_id = @id and f.path = 'swapped.bin'
            """, new { id = Guid.Parse(id) });
#pragma warning disable CA5351 // MD5 is what the store computes; here it only checks that the recorded value is the store's
        Assert.Equal(System.Security.Cryptography.MD5.HashData(original), checksum);
#pragma warning restore CA5351

        // Someone with the storage key replaces the object with other bytes of the same length.
        var container = new BlobContainerClient(new Uri($"{TestEnvironment.AzuriteEndpoint}/{api.BlobContainer}"),
            new StorageSharedKeyCredential(TestEnvironment.AzuriteAccount, TestEnvironment.AzuriteKey),
            new BlobClientOptions(DataSpace.Api.Storage.AzureBlobStore.ServiceVersion));
        await container.GetBlobClient(key).UploadAsync(new BinaryData(DatasetFlow.RandomBytes(5000)), overwrite: true, Ct);

        var refused = await (await owner.PostAsync($"/v1/datasets/{id}/versions/{version}/commit", null, Ct)).AssertProblem(HttpStatusCode.Conflict, "version_content_missing");
        Assert.Equal(["swapped.bin"], refused.GetProperty("files").EnumerateArray().Select(f => f.GetString()));

        // Uploading the original again restores it, and the commit goes through.
        await (await DatasetFlow.UploadAsync(owner, id, version, "swapped.bin", original)).AssertJson(HttpStatusCode.OK);
        await DatasetFlow.CommitAsync(owner, id, version);
        Assert.Equal(original, await (await owner.GetAsync(DatasetFlow.FileUrl(id, version, "swapped.bin"), Ct)).Content.ReadAsByteArrayAsync(Ct));
    }
}
