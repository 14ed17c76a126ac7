using System.Security.Cryptography;
using DataSpace.Api.Storage;

namespace DataSpace.Api.Tests.Storage;

/// <summary>
/// What every <see cref="IBlobStore"/> promises, run against each adapter: the filesystem store on a temporary folder and
/// the Azure REST store against real Azurite. A new adapter gets a subclass, not new tests.
/// </summary>
public abstract class BlobStoreContractTests
{
    private const int Block = AzureBlobStore.BlockSize;
    private const int MiB = 1 << 20;

    private readonly IBlobStore _store;
    private readonly IBlobStore _unreachable;

    private protected BlobStoreContractTests(IBlobStore store, IBlobStore unreachable)
    {
        _store = store;
        _unreachable = unreachable;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A key shaped like the ones the datasets feature makes: files/ab/cd/&lt;guid&gt;.</summary>
    private protected static string NewKey()
    {
        var id = Guid.NewGuid().ToString("N");
        return $"files/{id[..2]}/{id[2..4]}/{id}";
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(Block)]
    [InlineData(Block + 1)]
    [InlineData(20 * MiB + 12_345)]
    public async Task Upload_then_read_returns_the_same_bytes(int size)
    {
        var key = NewKey();
        var seed = (ulong)size;

        var stored = await _store.UploadAsync(key, new PatternStream(size, seed), Ct);

        Assert.Equal(size, stored);
        Assert.True(await _store.ExistsAsync(key, Ct));
        Assert.Equal(size, await _store.SizeAsync(key, Ct));
        var (read, hash) = await ReadAllAsync(key, 0, null);
        Assert.Equal(size, read);
        Assert.Equal(Convert.ToHexString(await PatternStream.Sha256Async(size, seed, Ct)), hash);
    }

    [Fact]
    public async Task Ranges_return_the_requested_bytes_clipped_to_the_end()
    {
        var key = NewKey();
        const long size = Block + 1000;
        const ulong seed = 42;
        await _store.UploadAsync(key, new PatternStream(size, seed), Ct);

        (long Offset, long? Length, long ExpectedOffset, int ExpectedCount)[] cases =
        [
            (0, 100, 0, 100), // start
            (Block - 50, 100, Block - 50, 100), // middle, across the first block boundary
            (1234, 1, 1234, 1),
            (size - 10, null, size - 10, 10), // end
            (size - 10, 1000, size - 10, 10), // length past the end is clipped
            (size - 1, long.MaxValue, size - 1, 1),
            (Block, null, Block, 1000),
            (size, null, 0, 0), // offset at the end: empty
            (size + 5, 10, 0, 0), // offset past the end: empty
            (10, 0, 0, 0), // nothing asked, nothing given
        ];
        foreach (var (offset, length, expectedOffset, expectedCount) in cases)
        {
            await using var stream = await _store.OpenReadAsync(key, offset, length, Ct);
            if (expectedCount > 0)
            {
                // The read itself says how large the whole blob is, so a download checks it against the manifest in one round trip.
                Assert.Equal(size, stream.BlobLength);
            }

            var bytes = await ReadToEndAsync(stream);
            Assert.True(
                PatternStream.Bytes(seed, expectedOffset, expectedCount).AsSpan().SequenceEqual(bytes),
                $"range offset={offset} length={length?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}: got {bytes.Length} bytes, expected {expectedCount}");
        }

        var (read, hash) = await ReadAllAsync(key, 100, null);
        Assert.Equal(size - 100, read);
        var tail = new PatternStream(size, seed);
        await tail.ReadExactlyAsync(new byte[100], Ct);
        Assert.Equal(Convert.ToHexString(await SHA256.HashDataAsync(tail, Ct)), hash);
    }

    [Fact]
    public async Task Ranges_of_an_empty_blob_are_empty()
    {
        var key = NewKey();
        await _store.UploadAsync(key, Stream.Null, Ct);

        foreach (var (offset, length) in new (long, long?)[] { (0, null), (0, 10), (0, 0), (5, null) })
        {
            await using var stream = await _store.OpenReadAsync(key, offset, length, Ct);
            Assert.True(stream.BlobLength is null or 0, $"an empty blob reported {stream.BlobLength} bytes");
            Assert.Empty(await ReadToEndAsync(stream));
        }
    }

    [Fact]
    public async Task Negative_offsets_and_lengths_are_refused()
    {
        var key = NewKey();
        await _store.UploadAsync(key, new MemoryStream([1, 2, 3]), Ct);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.OpenReadAsync(key, -1, null, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.OpenReadAsync(key, 0, -1, Ct));
    }

    [Fact]
    public async Task A_missing_blob_is_not_found()
    {
        var key = NewKey();

        Assert.False(await _store.ExistsAsync(key, Ct));
        Assert.Null(await _store.SizeAsync(key, Ct));
        var e = await Assert.ThrowsAsync<BlobNotFoundException>(() => _store.OpenReadAsync(key, 0, null, Ct));
        Assert.Equal(key, e.Key);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => _store.OpenReadAsync(key, 10, 5, Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => _store.OpenReadAsync(key, 0, 0, Ct));
    }

    [Fact]
    public async Task Upload_replaces_a_blob()
    {
        var key = NewKey();
        await _store.UploadAsync(key, new PatternStream(Block + 1, 1), Ct);

        Assert.Equal(3, await _store.UploadAsync(key, new MemoryStream([7, 8, 9]), Ct));
        await using (var stream = await _store.OpenReadAsync(key, 0, null, Ct))
        {
            Assert.Equal([7, 8, 9], await ReadToEndAsync(stream));
        }

        await _store.UploadAsync(key, new PatternStream(Block + 7, 2), Ct);
        var (read, hash) = await ReadAllAsync(key, 0, null);
        Assert.Equal(Block + 7, read);
        Assert.Equal(Convert.ToHexString(await PatternStream.Sha256Async(Block + 7, 2, Ct)), hash);
    }

    [Fact]
    public async Task Delete_removes_a_blob_and_a_missing_blob_is_fine()
    {
        var key = NewKey();
        await _store.UploadAsync(key, new MemoryStream([1]), Ct);

        await _store.DeleteAsync(key, Ct);

        Assert.False(await _store.ExistsAsync(key, Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => _store.OpenReadAsync(key, 0, null, Ct));
        await _store.DeleteAsync(key, Ct);
        await _store.DeleteAsync(NewKey(), Ct);
    }

    [Fact]
    public async Task A_source_that_fails_part_way_leaves_no_blob()
    {
        var key = NewKey();
        var source = new PatternStream(20 * MiB, 3) { BeforeRead = AbortAt(10 * MiB) };

        // The source's own exception comes out, not a "store unavailable": the client went away, not the store.
        await Assert.ThrowsAsync<SimulatedAbortException>(() => _store.UploadAsync(key, source, Ct));

        Assert.False(await _store.ExistsAsync(key, Ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => _store.OpenReadAsync(key, 0, null, Ct));
    }

    [Fact]
    public async Task A_failed_overwrite_keeps_the_previous_blob()
    {
        var key = NewKey();
        await _store.UploadAsync(key, new MemoryStream([4, 5, 6]), Ct);
        var source = new PatternStream(20 * MiB, 4) { BeforeRead = AbortAt(10 * MiB) };

        await Assert.ThrowsAsync<SimulatedAbortException>(() => _store.UploadAsync(key, source, Ct));

        await using var stream = await _store.OpenReadAsync(key, 0, null, Ct);
        Assert.Equal([4, 5, 6], await ReadToEndAsync(stream));
    }

    [Fact]
    public async Task A_cancelled_upload_leaves_no_blob()
    {
        var key = NewKey();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var source = new PatternStream(20 * MiB, 5)
        {
            BeforeRead = position =>
            {
                if (position >= 10 * MiB)
                {
                    cancel.Cancel();
                }
            },
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.UploadAsync(key, source, cancel.Token));

        Assert.False(await _store.ExistsAsync(key, Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../x")]
    [InlineData("files/../x")]
    [InlineData("/abs")]
    [InlineData("a\\b")]
    [InlineData("中文")]
    [InlineData("files//x")]
    [InlineData("files/x/")]
    [InlineData("Files/x")]
    [InlineData(".hidden")]
    [InlineData("files/./x")]
    [InlineData("a b")]
    [InlineData("a?b")]
    [InlineData("a%2fb")]
    public async Task Invalid_keys_are_refused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.UploadAsync(key, new MemoryStream([1]), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(key, 0, null, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ExistsAsync(key, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(key, Ct));
    }

    [Fact]
    public async Task Keys_with_every_allowed_character_work()
    {
        var key = "files/a-z_0.9/" + Guid.NewGuid().ToString("N") + ".part-1_x";
        await _store.UploadAsync(key, new MemoryStream([1, 2]), Ct);

        Assert.True(await _store.ExistsAsync(key, Ct));
        await _store.DeleteAsync(key, Ct);
        Assert.False(await _store.ExistsAsync(key, Ct));
    }

    [Fact]
    public async Task An_unreachable_store_is_unavailable()
    {
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => _unreachable.CheckAsync(Ct));
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => _unreachable.UploadAsync(NewKey(), new MemoryStream([1, 2, 3]), Ct));
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => _unreachable.UploadAsync(NewKey(), new PatternStream(Block + 1, 6), Ct));
    }

    private static Action<long> AbortAt(long position) => p =>
    {
        if (p >= position)
        {
            throw new SimulatedAbortException();
        }
    };

    private async Task<(long Read, string Sha256)> ReadAllAsync(string key, long offset, long? length)
    {
        await using var stream = await _store.OpenReadAsync(key, offset, length, Ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[MiB];
        long read = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, Ct)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            read += n;
        }

        return (read, Convert.ToHexString(hash.GetHashAndReset()));
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}

/// <summary>The embedded store on a temporary folder of its own.</summary>
public sealed class FileSystemBlobStoreContractTests : BlobStoreContractTests, IDisposable
{
    private readonly string _folder;
    private readonly string _root;

    public FileSystemBlobStoreContractTests()
        : this(TestEnvironment.Scratch("blobstore-" + Guid.NewGuid().ToString("N")))
    {
    }

    private FileSystemBlobStoreContractTests(string folder)
        : base(new FileSystemBlobStore(Path.Combine(folder, "root")), new FileSystemBlobStore(UnreachableRoot(folder)))
    {
        _folder = folder;
        _root = Path.Combine(folder, "root");
        Directory.CreateDirectory(_root);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Failed_uploads_leave_no_temporary_files()
    {
        var store = new FileSystemBlobStore(_root);
        var ct = TestContext.Current.CancellationToken;
        var aborted = new PatternStream(20 * 1024 * 1024, 7) { BeforeRead = p => throw new SimulatedAbortException() };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var cancelled = new PatternStream(20 * 1024 * 1024, 8) { BeforeRead = p => cancel.Cancel() };

        await Assert.ThrowsAsync<SimulatedAbortException>(() => store.UploadAsync(NewKey(), aborted, ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.UploadAsync(NewKey(), cancelled, cancel.Token));

        Assert.Empty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Blobs_are_files_under_the_root()
    {
        var store = new FileSystemBlobStore(_root);
        var key = NewKey();

        await store.UploadAsync(key, new MemoryStream([1, 2, 3]), TestContext.Current.CancellationToken);

        var file = Assert.Single(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
        Assert.Equal(Path.Combine(_root, key), file);
    }

    /// <summary>A root below a regular file: no folder can ever be created there.</summary>
    private static string UnreachableRoot(string folder)
    {
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "not-a-folder");
        File.WriteAllBytes(file, []);
        return Path.Combine(file, "blobs");
    }
}

/// <summary>The Azure.Storage.Blobs store against the Azurite that `./dataspace test` starts, one container per test class.</summary>
public sealed class AzureBlobStoreContractTests(AzureBlobStoreContractTests.Container container)
    : BlobStoreContractTests(container.Store, container.Unreachable), IClassFixture<AzureBlobStoreContractTests.Container>
{
    [Fact]
    public async Task Reads_and_deletes_against_an_unreachable_store_are_unavailable()
    {
        var key = NewKey();
        var ct = TestContext.Current.CancellationToken;

        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => container.Unreachable.OpenReadAsync(key, 0, null, ct));
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => container.Unreachable.ExistsAsync(key, ct));
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => container.Unreachable.DeleteAsync(key, ct));
    }

    [Fact]
    public async Task A_wrong_account_key_is_unavailable_not_missing()
    {
        var store = new AzureBlobStore(Container.Options(container.Endpoint, container.Name, Convert.ToBase64String(new byte[64])));
        var ct = TestContext.Current.CancellationToken;

        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => store.CheckAsync(ct));
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => store.ExistsAsync(NewKey(), ct));
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => store.UploadAsync(NewKey(), new MemoryStream([1]), ct));
    }

    [Fact]
    public async Task Large_uploads_go_up_in_blocks_each_with_its_md5()
    {
        var blocks = new List<(long? Length, bool Md5Matches)>();
        using var faults = new FaultHandler(async (request, ct) =>
        {
            if (FaultHandler.IsPutBlock(request))
            {
                var body = await request.Content!.ReadAsByteArrayAsync(ct);
                var md5 = request.Content.Headers.ContentMD5;
#pragma warning disable CA5351 // MD5 is Azure's transfer checksum here, not a security measure
                var matches = md5 is not null && System.Security.Cryptography.MD5.HashData(body).AsSpan().SequenceEqual(md5);
#pragma warning restore CA5351
                lock (blocks)
                {
                    blocks.Add((body.Length, matches));
                }

                request.Content = FaultHandler.Resend(request.Content, body);
            }

            return null;
        });
        var store = container.StoreThrough(faults);
        var ct = TestContext.Current.CancellationToken;
        const int size = (2 * AzureBlobStore.BlockSize) + 3;

        Assert.Equal(size, await store.UploadAsync(NewKey(), new PatternStream(size, 9), ct));

        Assert.Equal([AzureBlobStore.BlockSize, AzureBlobStore.BlockSize, 3], blocks.Select(b => b.Length ?? -1).Order().Reverse().ToArray());
        Assert.All(blocks, b => Assert.True(b.Md5Matches, "every Put Block carries the MD5 of its body"));
        Assert.Single(faults.Requests, r => r.Query.Contains("comp=blocklist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_block_the_service_refuses_makes_the_store_unavailable_and_commits_nothing()
    {
        // 501 is a server error the SDK does not retry (it retries 408, 429, 500, 502, 503 and 504), so the refusal is final.
        var blocks = 0;
        using var faults = new FaultHandler((request, _) => Task.FromResult(
            FaultHandler.IsPutBlock(request) && Interlocked.Increment(ref blocks) == 2
                ? new HttpResponseMessage(HttpStatusCode.NotImplemented)
                : null));
        var store = container.StoreThrough(faults);
        var ct = TestContext.Current.CancellationToken;
        var key = NewKey();

        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => store.UploadAsync(key, new PatternStream(30 * 1024 * 1024, 10), ct));

        Assert.False(await container.Store.ExistsAsync(key, ct));
    }

    /// <summary>A container of its own in Azurite, created through CheckAsync as the API does at start.</summary>
    public sealed class Container : IAsyncLifetime
    {
        public string Endpoint { get; } = TestEnvironment.AzuriteEndpoint
            ?? throw new InvalidOperationException(
                "DATASPACE_TEST_AZURITE is not set, so the Azure blob store contract cannot be checked: run the tests with "
                + "./dataspace test, which starts Azurite, or set DATASPACE_TEST_AZURITE (e.g. http://127.0.0.1:10010/devstoreaccount1) "
                + "and DATASPACE_TEST_AZURITE_KEY.");

        public string Name { get; } = "blobs" + Guid.NewGuid().ToString("N");

        internal IBlobStore Store { get; private set; } = null!;

        internal IBlobStore Unreachable { get; private set; } = null!;

        internal static BlobStorageOptions Options(string endpoint, string container, string key) => new()
        {
            AzureEndpoint = endpoint,
            AccountName = TestEnvironment.AzuriteAccount,
            AccountKey = key,
            Container = container,
        };

        /// <summary>A store on this container whose requests pass through <paramref name="faults"/> on their way to Azurite.</summary>
        internal AzureBlobStore StoreThrough(FaultHandler faults, int maxRetries = 3) =>
            new(new BlobStorageOptions
            {
                AzureEndpoint = Endpoint,
                AccountName = TestEnvironment.AzuriteAccount,
                AccountKey = TestEnvironment.AzuriteKey,
                Container = Name,
                MaxRetries = maxRetries,
            }, faults.Transport);

        public async ValueTask InitializeAsync()
        {
            var options = Options(Endpoint, Name, TestEnvironment.AzuriteKey);
            Assert.Null(options.Problem());
            Store = new AzureBlobStore(options);
            await Store.CheckAsync(TestContext.Current.CancellationToken);

            // One retry: enough to see the SDK's AggregateException of failed attempts mapped, without waiting out the back-off.
            var unreachable = Options("http://127.0.0.1:1/devstoreaccount1", Name, TestEnvironment.AzuriteKey);
            unreachable.MaxRetries = 1;
            Unreachable = new AzureBlobStore(unreachable);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
