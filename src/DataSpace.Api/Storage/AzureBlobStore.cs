using System.Buffers;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace DataSpace.Api.Storage;

/// <summary>
/// Azure Blob Storage (and Azurite) through Azure.Storage.Blobs. The SDK brings retries on 408/429/5xx and transport errors,
/// downloads that resume mid-body pinned to the blob's ETag, and MD5 per block; this adapter keeps <see cref="IBlobStore"/>'s
/// promises on top: keys checked before any call, the store's failures mapped to <see cref="BlobStoreUnavailableException"/>
/// (or <see cref="IOException"/> while a download is read), the caller's cancellation and the source's own exceptions unchanged.
/// </summary>
internal sealed class AzureBlobStore : IBlobStore
{
    /// <summary>
    /// Upload block size. 8 MiB keeps the number of requests per gigabyte small (128) while a few buffers stay cheap;
    /// with Azure's 50,000-block limit it caps a blob at about 390 GiB.
    /// </summary>
    public const int BlockSize = 8 << 20;

    /// <summary>
    /// Blocks one upload may have in flight, each in its own buffer: bounds an upload's memory at 32 MiB however large the file.
    /// </summary>
    public const int MaxBuffersPerUpload = 4;

    /// <summary>Azure's limit on the blocks of one block blob.</summary>
    public const int MaxBlocks = 50_000;

    /// <summary>The largest blob this store writes; a range ending past it can only mean "to the end".</summary>
    public const long MaxBlobBytes = (long)BlockSize * MaxBlocks;

    /// <summary>
    /// The REST version every request names. The SDK's default (2026-10-06) is newer than the Azurite in tools/package-lock.json
    /// knows, and Azurite refuses versions it does not know unless started with --skipApiVersionCheck; a test keeps the two in step.
    /// </summary>
    public const BlobClientOptions.ServiceVersion ServiceVersion = BlobClientOptions.ServiceVersion.V2026_06_06;

    /// <summary>
    /// MD5 per uploaded block: the service recomputes it and refuses a block damaged in transit (400 Md5Mismatch), so a corrupted
    /// block is never stored. Not CRC64, which fails against Azurite 3.37 (DEPENDENCIES.md): for CRC64 the SDK sends the body as
    /// a structured message (x-ms-structured-body) and expects the service to acknowledge it, which Azurite does not, so
    /// nothing could be tested where the tests run. Downloads are not validated per response (Azure's MD5 covers ranges of at
    /// most 4 MiB only); the manifest's SHA-256, sent as Content-Digest, lets a client check a whole file.
    /// </summary>
    private static readonly UploadTransferValidationOptions UploadValidation = new() { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 };

    private static readonly DownloadTransferValidationOptions NoDownloadValidation = new() { AutoValidateChecksum = false, ChecksumAlgorithm = StorageChecksumAlgorithm.None };

    private readonly BlobContainerClient _container;
    private readonly BlobContainerClient _probe;

    /// <param name="options">Validated settings (<see cref="BlobStorageOptions.Problem"/> is null).</param>
    /// <param name="transport">Replaces the SDK's HTTP transport (tests put a fault handler in front of Azurite).</param>
    public AzureBlobStore(BlobStorageOptions options, HttpPipelineTransport? transport = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _container = Service(options, ClientOptions(options.MaxRetries, TimeSpan.FromSeconds(100), TimeSpan.FromMilliseconds(500), transport))
            .GetBlobContainerClient(options.Container);

        // Readiness must answer within 2 s when the store is down: one retry, short timeouts, whatever the main client does.
        _probe = Service(options, ClientOptions(1, TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(100), transport))
            .GetBlobContainerClient(options.Container);
    }

    public string Kind => "azure";

    public async Task CheckAsync(CancellationToken ct)
    {
        try
        {
            try
            {
                await _probe.GetPropertiesAsync(cancellationToken: ct);
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                await _probe.CreateIfNotExistsAsync(cancellationToken: ct);
            }
        }
        catch (Exception e) when (Unavailable(e, $"Container '{_container.Name}'", ct) is { } mapped)
        {
            throw mapped;
        }
    }

    public async Task<long> UploadAsync(string key, Stream source, CancellationToken ct)
    {
        var blob = Blob(key);
        ArgumentNullException.ThrowIfNull(source);

        // A source shorter than a block goes up in a single Put Blob: the SDK would stage and commit a block for any stream
        // whose length it cannot know, so the first block's worth is read here to decide.
        var first = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            var n = await source.ReadAtLeastAsync(first.AsMemory(0, BlockSize), BlockSize, throwOnEndOfStream: false, ct);

            // Counted from what the source gave, not from what the SDK reports, so the manifest's size is the bytes hashed.
            var counted = new CountingReadStream(first.AsMemory(0, n), n < BlockSize ? Stream.Null : source);
            try
            {
                await blob.UploadAsync(n < BlockSize ? new MemoryStream(first, 0, n, writable: false) : counted, new BlobUploadOptions
                {
                    // Larger sources go up in 8 MiB blocks, committed by one Put Block List at the end, so a failed or cancelled
                    // upload leaves the key as it was (Azure drops uncommitted blocks after a week).
                    TransferOptions = new StorageTransferOptions
                    {
                        InitialTransferSize = BlockSize,
                        MaximumTransferSize = BlockSize,
                        MaximumConcurrency = MaxBuffersPerUpload,
                    },
                    TransferValidation = UploadValidation,
                }, ct);
            }
            catch (Exception e) when (!counted.Failed && Unavailable(e, $"Uploading '{key}'", ct) is { } mapped)
            {
                throw mapped;
            }

            return counted.Count;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(first);
        }
    }

    public async Task<BlobReadStream> OpenReadAsync(string key, long offset, long? length, CancellationToken ct)
    {
        var blob = Blob(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } l)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(l, nameof(length));
        }

        if (length == 0)
        {
            // No byte range can express "nothing"; the caller still learns whether the blob exists.
            return await SizeAsync(key, ct) is { } size ? BlobReadStream.Empty(size) : throw new BlobNotFoundException(key);
        }

        // The SDK writes offset + length - 1 into the Range header unchecked: near long.MaxValue that overflows into an invalid
        // header, and Azurite then answers the whole blob. No blob of ours reaches MaxBlobBytes, so such a length means "to the end".
        var count = length is { } n && n <= MaxBlobBytes - offset ? n : (long?)null;
        try
        {
            var download = await blob.DownloadStreamingAsync(
                new BlobDownloadOptions { Range = new HttpRange(offset, count), TransferValidation = NoDownloadValidation }, ct);

            // Streamed: the body is read as the caller reads; the SDK resumes a broken body from where it stopped, If-Match the ETag.
            return new BlobReadStream(new FailureMappingStream(download.Value.Content, $"Reading '{key}'"), limit: null,
                BlobLength(download.Value.Details, offset, count), owner: download.Value);
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            return BlobReadStream.Empty(); // the blob exists, the range starts at or past its end
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            throw new BlobNotFoundException(key);
        }
        catch (Exception e) when (Unavailable(e, $"Reading '{key}'", ct) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>
    /// The whole blob's size from a download's answer: the total of its Content-Range ("bytes 0-99/1234"), or the body's length
    /// when the whole blob was asked for without a range; null when neither says (then a caller probes with <see cref="SizeAsync"/>).
    /// </summary>
    internal static long? BlobLength(BlobDownloadDetails details, long offset, long? count)
    {
        var range = details.ContentRange;
        if (!string.IsNullOrEmpty(range))
        {
            var slash = range.LastIndexOf('/');
            return slash >= 0 && long.TryParse(range.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var total)
                ? total
                : null;
        }

        return offset == 0 && count is null ? details.ContentLength : null;
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct) => await SizeAsync(key, ct) is not null;

    public async Task<long?> SizeAsync(string key, CancellationToken ct) => (await InfoAsync(key, ct))?.Size;

    public async Task<StoredBlobInfo?> InfoAsync(string key, CancellationToken ct)
    {
        var blob = Blob(key);
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
            return new StoredBlobInfo(properties.ContentLength, properties.ContentHash is { Length: > 0 } md5 ? md5 : null);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            return null;
        }
        catch (Exception e) when (Unavailable(e, $"Looking up '{key}'", ct) is { } mapped)
        {
            throw mapped;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        var blob = Blob(key);
        try
        {
            await blob.DeleteIfExistsAsync(cancellationToken: ct);
        }
        catch (Exception e) when (Unavailable(e, $"Deleting '{key}'", ct) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Keys need no escaping (BlobKey allows only [a-z0-9/_.-]), so the blob name is the key as it is.</summary>
    private BlockBlobClient Blob(string key)
    {
        BlobKey.Validate(key);
        return _container.GetBlockBlobClient(key);
    }

    /// <summary>
    /// What the store's failure means for the caller: null (rethrow as it is) for the caller's own cancellation; otherwise
    /// <see cref="BlobStoreUnavailableException"/> for what is the store's trouble (unreachable, timed out, 5xx, throttled,
    /// refused credentials, a missing container, a block damaged in transit), and <see cref="InvalidOperationException"/>
    /// for any other refusal, which means we sent something the service does not accept: a bug to surface, not to retry.
    /// Retries that all failed arrive as one AggregateException; it is judged by its last attempt.
    /// </summary>
    internal static Exception? Unavailable(Exception e, string what, CancellationToken ct)
    {
        if (ct.IsCancellationRequested && e is OperationCanceledException or AggregateException)
        {
            return null;
        }

        var last = e is AggregateException { InnerExceptions.Count: > 0 } all ? all.InnerExceptions[^1] : e;
        return last switch
        {
            RequestFailedException { Status: 0 } or HttpRequestException or IOException or OperationCanceledException or TimeoutException
                or AuthenticationFailedException or CredentialUnavailableException =>
                new BlobStoreUnavailableException($"{what}: the blob service is unreachable or timed out ({last.Message})", e),
            RequestFailedException r when r.Status is >= 500 or 401 or 403 or 408 or 429
                || r.ErrorCode == BlobErrorCode.ContainerNotFound || r.ErrorCode == BlobErrorCode.Md5Mismatch =>
                new BlobStoreUnavailableException($"{what}: the blob service answered {r.Status} {r.ErrorCode}.", e),
            RequestFailedException r => new InvalidOperationException($"{what}: the blob service answered {r.Status} {r.ErrorCode}.", e),
            _ => null,
        };
    }

    private static BlobClientOptions ClientOptions(int maxRetries, TimeSpan networkTimeout, TimeSpan delay, HttpPipelineTransport? transport)
    {
        var options = new BlobClientOptions(ServiceVersion)
        {
            Retry =
            {
                Mode = RetryMode.Exponential,
                MaxRetries = maxRetries,
                Delay = delay,
                MaxDelay = TimeSpan.FromSeconds(4),
                NetworkTimeout = networkTimeout,
            },
        };
        if (transport is not null)
        {
            options.Transport = transport;
        }

        return options;
    }

    /// <summary>The three ways to reach an account (see README, Configuration): a connection string, or the endpoint with the account key or a token credential.</summary>
    private static BlobServiceClient Service(BlobStorageOptions o, BlobClientOptions client)
    {
        if (!string.IsNullOrEmpty(o.ConnectionString))
        {
            return new BlobServiceClient(o.ConnectionString, client);
        }

        var endpoint = new Uri(o.AzureEndpoint!);
        return o.TokenCredential switch
        {
            BlobStorageOptions.DefaultCredential => new BlobServiceClient(endpoint, new DefaultAzureCredential(), client),
            BlobStorageOptions.ManagedIdentityCredential => new BlobServiceClient(endpoint, string.IsNullOrEmpty(o.ManagedIdentityClientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(o.ManagedIdentityClientId)), client),
            _ => new BlobServiceClient(endpoint, new StorageSharedKeyCredential(o.AccountName, o.AccountKey), client),
        };
    }

    /// <summary>
    /// The source as the SDK reads it, after the part already read: counts what it gives and notes whether the source failed
    /// (its exception is the caller's to see, not a store failure).
    /// </summary>
    private sealed class CountingReadStream(ReadOnlyMemory<byte> prefix, Stream source) : ForwardOnlyStream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public long Count { get; private set; } = prefix.Length;

        public bool Failed { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!_prefix.IsEmpty)
            {
                var n = Math.Min(count, _prefix.Length);
                _prefix.Span[..n].CopyTo(buffer.AsSpan(offset, n));
                _prefix = _prefix[n..];
                return n;
            }

            try
            {
                var n = source.Read(buffer, offset, count);
                Count += n;
                return n;
            }
            catch
            {
                Failed = true;
                throw;
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_prefix.IsEmpty)
            {
                var n = Math.Min(buffer.Length, _prefix.Length);
                _prefix[..n].CopyTo(buffer);
                _prefix = _prefix[n..];
                return n;
            }

            try
            {
                var n = await source.ReadAsync(buffer, cancellationToken);
                Count += n;
                return n;
            }
            catch
            {
                Failed = true;
                throw;
            }
        }

    }

    /// <summary>
    /// A download body whose failures, once the SDK's own resumption gave up, come out as <see cref="IOException"/>, which
    /// is what <see cref="IBlobStore.OpenReadAsync"/> promises to its readers.
    /// </summary>
    private sealed class FailureMappingStream(Stream inner, string what) : ForwardOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return inner.Read(buffer, offset, count);
            }
            catch (Exception e) when (Unavailable(e, what, CancellationToken.None) is { } mapped && e is not IOException)
            {
                throw new IOException(mapped.Message, e);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is not IOException && Unavailable(e, what, cancellationToken) is { } mapped)
            {
                throw new IOException(mapped.Message, e);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
