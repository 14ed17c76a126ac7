using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using DataSpace.Api.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DataSpace.Api.Tests.Storage;

/// <summary>
/// What the Azure.Storage.Blobs adapter adds beyond the contract, proven against Azurite with faults injected between the
/// SDK and Azurite: retries, mid-body resumption, MD5 per block, the guards around the SDK, and the ways to configure it.
/// </summary>
public sealed class AzureBlobStoreTests(AzureBlobStoreContractTests.Container container) : IClassFixture<AzureBlobStoreContractTests.Container>
{
    /// <summary>Azurite releases and the newest REST version each accepts without --skipApiVersionCheck (from Azurite's changelog).</summary>
    private static readonly Dictionary<string, BlobClientOptions.ServiceVersion> AzuriteServiceVersions = new(StringComparer.Ordinal)
    {
        ["3.35.0"] = BlobClientOptions.ServiceVersion.V2025_11_05,
        ["3.36.0"] = BlobClientOptions.ServiceVersion.V2026_02_06,
        ["3.37.0"] = BlobClientOptions.ServiceVersion.V2026_06_06,
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_pinned_service_version_is_the_one_the_locked_azurite_accepts()
    {
        var lockFile = JsonNode.Parse(File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "tools", "package-lock.json")))!;
        var azurite = lockFile["packages"]!["node_modules/azurite"]!["version"]!.GetValue<string>();

        Assert.True(
            AzuriteServiceVersions.TryGetValue(azurite, out var accepted),
            $"tools/package-lock.json locks azurite {azurite}, which this table does not know: add the REST version it accepts and check AzureBlobStore.ServiceVersion.");
        Assert.Equal(AzureBlobStore.ServiceVersion, accepted);
    }

    [Fact]
    public async Task An_upload_answered_503_once_is_retried_and_stored()
    {
        var puts = 0;
        using var faults = new FaultHandler((request, _) => Task.FromResult(
            request.Method == HttpMethod.Put && request.RequestUri!.Query.Contains("blockid=", StringComparison.Ordinal) == false
                && !request.RequestUri.Query.Contains("restype=", StringComparison.Ordinal) && Interlocked.Increment(ref puts) == 1
                ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                : null));
        var store = container.StoreThrough(faults);
        var key = Key();

        Assert.Equal(1000, await store.UploadAsync(key, new PatternStream(1000, 11), Ct));

        Assert.Equal(2, puts);
        Assert.Equal(2, faults.Requests.Count(r => r.Method == "PUT"));
        await using var stream = await container.Store.OpenReadAsync(key, 0, null, Ct);
        Assert.Equal(PatternStream.Bytes(11, 0, 1000), await ReadToEndAsync(stream));
    }

    [Fact]
    public async Task A_download_broken_mid_body_resumes_intact_from_where_it_stopped()
    {
        const int size = (3 << 20) + 5;
        const int breakAt = 1 << 20;
        var key = Key();
        await container.Store.UploadAsync(key, new PatternStream(size, 12), Ct);
        var gets = 0;
        using var faults = new FaultHandler((_, _) => Task.FromResult<HttpResponseMessage?>(null), (request, response) =>
        {
            if (FaultHandler.IsGetBlob(request) && Interlocked.Increment(ref gets) == 1)
            {
                response.Content = Broken(response.Content, breakAt);
            }

            return response;
        });
        var store = container.StoreThrough(faults);

        await using var stream = await store.OpenReadAsync(key, 0, null, Ct);
        var bytes = await ReadToEndAsync(stream);

        Assert.Equal(size, bytes.Length);
        Assert.Equal(await PatternStream.Sha256Async(size, 12, Ct), SHA256.HashData(bytes));
        var downloads = faults.Requests.Where(r => r.Method == "GET").ToList();
        Assert.Equal(2, downloads.Count);
        Assert.StartsWith($"bytes={breakAt}-", downloads[1].Range, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(downloads[1].IfMatch), "the resumed request is pinned to the blob's ETag");
    }

    [Fact]
    public async Task A_download_that_keeps_breaking_fails_with_an_io_exception()
    {
        var key = Key();
        await container.Store.UploadAsync(key, new PatternStream(100_000, 13), Ct);
        using var faults = new FaultHandler((_, _) => Task.FromResult<HttpResponseMessage?>(null), (request, response) =>
        {
            if (FaultHandler.IsGetBlob(request))
            {
                response.Content = Broken(response.Content, 1000);
            }

            return response;
        });
        var store = container.StoreThrough(faults);

        await using var stream = await store.OpenReadAsync(key, 0, null, Ct);

        await Assert.ThrowsAsync<IOException>(() => ReadToEndAsync(stream));
    }

    [Fact]
    public async Task A_block_damaged_in_transit_is_refused_by_its_md5_and_nothing_is_stored()
    {
        var blocks = 0;
        using var faults = new FaultHandler(async (request, ct) =>
        {
            if (FaultHandler.IsPutBlock(request) && Interlocked.Increment(ref blocks) == 2)
            {
                var body = await request.Content!.ReadAsByteArrayAsync(ct);
                body[body.Length / 2] ^= 0xFF; // the Content-MD5 header still names the original bytes
                request.Content = FaultHandler.Resend(request.Content, body);
            }

            return null;
        });
        var store = container.StoreThrough(faults);
        var key = Key();

        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => store.UploadAsync(key, new PatternStream(3 * AzureBlobStore.BlockSize, 14), Ct));

        Assert.False(await container.Store.ExistsAsync(key, Ct));
    }

    [Fact]
    public async Task A_length_near_long_max_value_is_read_to_the_end_without_an_overflowing_range()
    {
        var key = Key();
        await container.Store.UploadAsync(key, new PatternStream(5000, 15), Ct);
        using var faults = new FaultHandler((_, _) => Task.FromResult<HttpResponseMessage?>(null));
        var store = container.StoreThrough(faults);

        foreach (var length in new[] { long.MaxValue, long.MaxValue - 10, long.MaxValue - 4000 })
        {
            await using var stream = await store.OpenReadAsync(key, 4000, length, Ct);
            Assert.Equal(PatternStream.Bytes(15, 4000, 1000), await ReadToEndAsync(stream));
        }

        Assert.All(faults.Requests.Where(r => r.Method == "GET"), r => Assert.Equal("bytes=4000-", r.Range));
    }

    [Fact]
    public async Task Cancellation_reaches_the_caller_unchanged_and_is_not_retried()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var faults = new FaultHandler(async (request, ct) =>
        {
            if (request.Method == HttpMethod.Head)
            {
                await cancel.CancelAsync();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return null;
        });
        var store = container.StoreThrough(faults);

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ExistsAsync(Key(), cancel.Token));

        Assert.IsNotType<BlobStoreUnavailableException>(e.InnerException);
        Assert.Single(faults.Requests, r => r.Method == "HEAD");
    }

    [Fact]
    public async Task Server_errors_are_retried_a_bounded_number_of_times_then_unavailable()
    {
        using var faults = new FaultHandler((request, _) => Task.FromResult(
            request.Method == HttpMethod.Head ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : null));
        var store = container.StoreThrough(faults, maxRetries: 2);

        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => store.ExistsAsync(Key(), Ct));

        Assert.Equal(3, faults.Requests.Count(r => r.Method == "HEAD"));
    }

    [Fact]
    public void Failures_map_to_unavailable_or_to_a_bug_and_the_callers_cancellation_passes()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var transport = new HttpRequestException("Connection refused");
        var retriesExhausted = new AggregateException("Retry failed after 2 tries.", transport, new HttpRequestException("Connection refused"));

        Assert.IsType<BlobStoreUnavailableException>(AzureBlobStore.Unavailable(retriesExhausted, "x", CancellationToken.None));
        Assert.IsType<BlobStoreUnavailableException>(AzureBlobStore.Unavailable(new AggregateException(new TaskCanceledException("network timeout")), "x", CancellationToken.None));
        Assert.IsType<BlobStoreUnavailableException>(AzureBlobStore.Unavailable(new RequestFailedException(503, "busy"), "x", CancellationToken.None));
        Assert.IsType<BlobStoreUnavailableException>(AzureBlobStore.Unavailable(new RequestFailedException(403, "no", "AuthorizationFailure", null), "x", CancellationToken.None));
        Assert.IsType<BlobStoreUnavailableException>(AzureBlobStore.Unavailable(new RequestFailedException(404, "no", "ContainerNotFound", null), "x", CancellationToken.None));
        Assert.IsType<InvalidOperationException>(AzureBlobStore.Unavailable(new RequestFailedException(400, "bad", "InvalidHeaderValue", null), "x", CancellationToken.None));
        Assert.Null(AzureBlobStore.Unavailable(new OperationCanceledException(cancelled.Token), "x", cancelled.Token));
        Assert.Null(AzureBlobStore.Unavailable(new AggregateException(new TaskCanceledException()), "x", cancelled.Token));
        Assert.Null(AzureBlobStore.Unavailable(new ArgumentException("a bug of ours"), "x", CancellationToken.None));
    }

    [Fact]
    public async Task A_connection_string_reaches_azurite()
    {
        var options = new BlobStorageOptions
        {
            ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={TestEnvironment.AzuriteAccount};AccountKey={TestEnvironment.AzuriteKey};BlobEndpoint={container.Endpoint};",
            Container = "cs" + Guid.NewGuid().ToString("N"),
        };
        Assert.Null(options.Problem());
        var store = new AzureBlobStore(options);

        await store.CheckAsync(Ct);
        await RoundTripAsync(store);
    }

    [Theory]
    [InlineData("endpoint")]
    [InlineData("connection-string")]
    public async Task The_configuration_keys_choose_the_azure_store(string how)
    {
        var settings = new Dictionary<string, string?>
        {
            ["BlobStorage:Container"] = "cfg" + Guid.NewGuid().ToString("N"),
            ["BlobStorage:FileSystemRoot"] = TestEnvironment.Scratch("unused"),
        };
        if (how == "endpoint")
        {
            settings["BlobStorage:AzureEndpoint"] = container.Endpoint;
            settings["BlobStorage:AccountName"] = TestEnvironment.AzuriteAccount;
            settings["BlobStorage:AccountKey"] = TestEnvironment.AzuriteKey;
        }
        else
        {
            settings["BlobStorage:ConnectionString"] =
                $"DefaultEndpointsProtocol=http;AccountName={TestEnvironment.AzuriteAccount};AccountKey={TestEnvironment.AzuriteKey};BlobEndpoint={container.Endpoint};";
        }

        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddDataSpaceStorage();
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IBlobStore>();

        Assert.IsType<AzureBlobStore>(store);
        await store.CheckAsync(Ct);
        await RoundTripAsync(store);
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net", null, null, "default", null)]
    [InlineData("https://acct.blob.core.windows.net", null, null, "managed-identity", null)]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", "devstoreaccount1", "a2V5", null, null)]
    [InlineData(null, null, null, null, "UseDevelopmentStorage=true")]
    public void Valid_azure_settings_pass(string? endpoint, string? account, string? key, string? credential, string? connectionString)
    {
        var options = new BlobStorageOptions
        {
            AzureEndpoint = endpoint, AccountName = account, AccountKey = key, TokenCredential = credential, ConnectionString = connectionString,
        };

        Assert.Null(options.Problem());
        Assert.True(options.IsAzure);
    }

    [Theory]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", null, null, "default", null, "https")]
    [InlineData("https://acct.blob.core.windows.net", null, null, "kerberos", null, "TokenCredential")]
    [InlineData("https://acct.blob.core.windows.net", "acct", "a2V5", "default", null, "exclude")]
    [InlineData("https://acct.blob.core.windows.net", null, null, null, null, "AccountKey")]
    [InlineData("https://acct.blob.core.windows.net", "acct", "not base64!", null, null, "base64")]
    [InlineData("https://acct.blob.core.windows.net", null, null, null, "UseDevelopmentStorage=true", "alone")]
    [InlineData(null, null, null, null, "this is not one", "connection string")]
    public void Invalid_azure_settings_name_the_problem(string? endpoint, string? account, string? key, string? credential, string? connectionString, string expected)
    {
        var options = new BlobStorageOptions
        {
            AzureEndpoint = endpoint, AccountName = account, AccountKey = key, TokenCredential = credential, ConnectionString = connectionString,
        };

        Assert.Contains(expected, options.Problem() ?? "(no problem)", StringComparison.Ordinal);
    }

    private static async Task RoundTripAsync(IBlobStore store)
    {
        var key = Key();
        Assert.Equal(AzureBlobStore.BlockSize + 1, await store.UploadAsync(key, new PatternStream(AzureBlobStore.BlockSize + 1, 16), Ct));
        await using (var stream = await store.OpenReadAsync(key, AzureBlobStore.BlockSize - 1, null, Ct))
        {
            Assert.Equal(PatternStream.Bytes(16, AzureBlobStore.BlockSize - 1, 2), await ReadToEndAsync(stream));
        }

        await store.DeleteAsync(key, Ct);
        Assert.False(await store.ExistsAsync(key, Ct));
    }

    private static StreamContent Broken(HttpContent content, long breakAfter)
    {
        var broken = new StreamContent(new BreakingStream(content.ReadAsStream(), breakAfter));
        foreach (var header in content.Headers)
        {
            broken.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return broken;
    }

    private static string Key() => "files/az/" + Guid.NewGuid().ToString("N");

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}
