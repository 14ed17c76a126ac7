using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using System.Security;
using System.Text;

namespace DataSpace.Api.Storage;

/// <summary>Azure Blob Storage (and Azurite) over the REST API with SharedKey signing.</summary>
internal sealed class AzureBlobStore(HttpClient http, BlobStorageOptions options, TimeProvider clock) : IBlobStore
{
    /// <summary>
    /// Upload block size. 8 MiB keeps the number of requests per gigabyte small (128) while a few buffers stay cheap;
    /// with Azure's 50,000-block limit it caps a blob at about 390 GiB.
    /// </summary>
    public const int BlockSize = 8 << 20;

    /// <summary>
    /// Block buffers one upload may hold at once: the one being filled from the source plus the ones still being sent.
    /// Bounds an upload's memory at 32 MiB however large the file, while keeping a few Put Block requests in flight.
    /// </summary>
    public const int MaxBuffersPerUpload = 4;

    /// <summary>Azure's limit on the blocks of one block blob.</summary>
    public const int MaxBlocks = 50_000;

    private readonly SharedKeySigner _signer = new(options.AccountName!, options.AccountKey!);
    private readonly string _containerUrl = options.AzureEndpoint!.TrimEnd('/') + "/" + options.Container;

    public string Kind => "azure";

    public async Task CheckAsync(CancellationToken ct)
    {
        using var probe = await SendAsync(NewRequest(HttpMethod.Get, _containerUrl + "?restype=container"), ct);
        if (probe.StatusCode == HttpStatusCode.NotFound)
        {
            using var create = await SendAsync(NewRequest(HttpMethod.Put, _containerUrl + "?restype=container"), ct);
            if (create.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict))
            {
                throw new BlobStoreUnavailableException($"Creating container '{options.Container}' answered {Describe(create)}.");
            }
        }
        else if (!probe.IsSuccessStatusCode)
        {
            throw new BlobStoreUnavailableException($"The blob service answered {Describe(probe)} for container '{options.Container}'.");
        }
    }

    public async Task<long> UploadAsync(string key, Stream source, CancellationToken ct)
    {
        var url = BlobUrl(key);
        ArgumentNullException.ThrowIfNull(source);

        // Small blobs (under one block) go up in a single Put Blob; only the first block's worth is ever read to decide.
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            var n = await source.ReadAtLeastAsync(buffer.AsMemory(0, BlockSize), BlockSize, throwOnEndOfStream: false, ct);
            if (n < BlockSize)
            {
                var request = NewRequest(HttpMethod.Put, url, new ByteArrayContent(buffer, 0, n));
                request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
                using var response = await SendAsync(request, ct);
                EnsureStatus(response, HttpStatusCode.Created, "Put Blob", key);
                return n;
            }

            var first = buffer;
            buffer = null;
            return await UploadBlocksAsync(url, key, source, first, ct);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Put Block for each 8 MiB of the source, up to <see cref="MaxBuffersPerUpload"/> buffers at a time, then Put Block
    /// List. Until the list is committed the blocks are invisible (Azure drops uncommitted blocks after a week), so an
    /// upload that fails or is cancelled leaves the key as it was. Block ids carry a random upload id, so two uploads to
    /// the same key cannot commit each other's blocks; all ids have the same length, as Azure requires.
    /// </summary>
    private async Task<long> UploadBlocksAsync(string url, string key, Stream source, byte[] first, CancellationToken ct)
    {
        var uploadId = Guid.NewGuid();
        var ids = new List<string>();
        var inFlight = new List<Task>();
        using var slots = new SemaphoreSlim(MaxBuffersPerUpload);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Exception? blockFailure = null;

        async Task PutBlockAsync(string id, byte[] block, int count)
        {
            try
            {
                var request = NewRequest(HttpMethod.Put, url + "?comp=block&blockid=" + Uri.EscapeDataString(id), new ByteArrayContent(block, 0, count));
                using var response = await SendAsync(request, stop.Token);
                EnsureStatus(response, HttpStatusCode.Created, "Put Block", key);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref blockFailure, e, null);
                await stop.CancelAsync(); // stop reading the source and the other blocks
                throw;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(block);
                slots.Release();
            }
        }

        await slots.WaitAsync(ct); // the slot of the first buffer, rented by the caller
        byte[]? buffer = first;
        var n = BlockSize;
        long total = 0;
        try
        {
            while (true)
            {
                if (ids.Count == MaxBlocks)
                {
                    throw new InvalidOperationException($"A blob holds at most {MaxBlocks} blocks of {BlockSize} bytes.");
                }

                var id = BlockId(uploadId, ids.Count);
                ids.Add(id);
                total += n;
                inFlight.Add(PutBlockAsync(id, buffer, n));
                buffer = null;
                if (n < BlockSize)
                {
                    break;
                }

                await slots.WaitAsync(stop.Token);
                buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
                n = await source.ReadAtLeastAsync(buffer.AsMemory(0, BlockSize), BlockSize, throwOnEndOfStream: false, stop.Token);
                stop.Token.ThrowIfCancellationRequested(); // a source that ignores the token must not start more blocks
                if (n == 0)
                {
                    break;
                }
            }

            await Task.WhenAll(inFlight);

            var body = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
            foreach (var id in ids)
            {
                body.Append("<Latest>").Append(SecurityElement.Escape(id)).Append("</Latest>");
            }

            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.Append("</BlockList>").ToString()));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
            using var response = await SendAsync(NewRequest(HttpMethod.Put, url + "?comp=blocklist", content), ct);
            EnsureStatus(response, HttpStatusCode.Created, "Put Block List", key);
            return total;
        }
        catch (Exception e)
        {
            await stop.CancelAsync();
            await Task.WhenAll(inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // buffers back in the pool first

            // The loop saw only the cancellation a failed block caused; report the failure itself.
            if (e is OperationCanceledException && !ct.IsCancellationRequested && Volatile.Read(ref blockFailure) is { } failure)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            throw;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                slots.Release();
            }
        }
    }

    public async Task<Stream> OpenReadAsync(string key, long offset, long? length, CancellationToken ct)
    {
        var url = BlobUrl(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } l)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(l, nameof(length));
        }

        if (length == 0)
        {
            // No byte range can express "nothing"; the caller still learns whether the blob exists.
            return await ExistsAsync(key, ct) ? BlobReadStream.Empty() : throw new BlobNotFoundException(key);
        }

        var request = NewRequest(HttpMethod.Get, url);
        if (offset > 0 || length is not null)
        {
            var last = length is { } count && count <= long.MaxValue - offset ? (offset + count - 1).ToString(CultureInfo.InvariantCulture) : "";
            request.Headers.TryAddWithoutValidation("x-ms-range", $"bytes={offset.ToString(CultureInfo.InvariantCulture)}-{last}");
        }

        var response = await SendAsync(request, ct);
        try
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK or HttpStatusCode.PartialContent:
                    // Streamed: the body is read as the caller reads, and disposing the stream releases the connection.
                    var body = await response.Content.ReadAsStreamAsync(ct);
                    return new BlobReadStream(body, limit: null, owner: response);
                case HttpStatusCode.RequestedRangeNotSatisfiable:
                    response.Dispose(); // the blob exists, the range starts at or past its end
                    return BlobReadStream.Empty();
                case HttpStatusCode.NotFound when !IsContainerMissing(response):
                    throw new BlobNotFoundException(key);
                default:
                    throw Failure(response, "Get Blob", key);
            }
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        using var response = await SendAsync(NewRequest(HttpMethod.Head, BlobUrl(key)), ct);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound when !IsContainerMissing(response) => false,
            _ => throw Failure(response, "Get Blob Properties", key),
        };
    }

    public async Task<long?> SizeAsync(string key, CancellationToken ct)
    {
        using var response = await SendAsync(NewRequest(HttpMethod.Head, BlobUrl(key)), ct);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => response.Content.Headers.ContentLength ?? throw Failure(response, "Get Blob Properties", key),
            HttpStatusCode.NotFound when !IsContainerMissing(response) => null,
            _ => throw Failure(response, "Get Blob Properties", key),
        };
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        using var response = await SendAsync(NewRequest(HttpMethod.Delete, BlobUrl(key)), ct);
        if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.NotFound))
        {
            throw Failure(response, "Delete Blob", key);
        }
    }

    /// <summary>Keys need no escaping (BlobKey allows only [a-z0-9/_.-]), so the URL path is the key as it is, and that is what gets signed.</summary>
    private string BlobUrl(string key)
    {
        BlobKey.Validate(key);
        return _containerUrl + "/" + key;
    }

    /// <summary>Base64 of the upload id and the block index: 20 bytes, so every id of a blob has the same length.</summary>
    private static string BlockId(Guid uploadId, int index)
    {
        Span<byte> bytes = stackalloc byte[20];
        uploadId.TryWriteBytes(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes[16..], index);
        return Convert.ToBase64String(bytes);
    }

    private static HttpRequestMessage NewRequest(HttpMethod method, string url, HttpContent? content = null) =>
        new(method, url)
        {
            // A PUT without a body still needs Content-Length: 0.
            Content = content ?? (method == HttpMethod.Put ? new ByteArrayContent([]) : null),
        };

    /// <summary>Signs and sends; a network failure or timeout means the store is unavailable (503), not a bug.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            _signer.Sign(request, clock.GetUtcNow());
            try
            {
                return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            }
            catch (HttpRequestException e)
            {
                throw new BlobStoreUnavailableException($"The blob service at {options.AzureEndpoint} is unreachable: {e.Message}", e);
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new BlobStoreUnavailableException($"The blob service at {options.AzureEndpoint} timed out.", e);
            }
        }
    }

    private static void EnsureStatus(HttpResponseMessage response, HttpStatusCode expected, string operation, string key)
    {
        if (response.StatusCode != expected)
        {
            throw Failure(response, operation, key);
        }
    }

    /// <summary>
    /// Server errors, throttling, timeouts and refused credentials are the store's trouble (503, retry later); any other
    /// status means we sent something Azure does not accept, which is a bug to surface, not to retry.
    /// </summary>
    private static Exception Failure(HttpResponseMessage response, string operation, string key)
    {
        var message = $"{operation} for '{key}' answered {Describe(response)}.";
        var status = (int)response.StatusCode;
        return status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || IsContainerMissing(response)
            ? new BlobStoreUnavailableException(message)
            : new InvalidOperationException(message);
    }

    /// <summary>A 404 for the container (deleted, or CheckAsync never ran) is a broken store, not a missing blob.</summary>
    private static bool IsContainerMissing(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.NotFound && ErrorCode(response) == "ContainerNotFound";

    private static string? ErrorCode(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-ms-error-code", out var values) ? values.FirstOrDefault() : null;

    private static string Describe(HttpResponseMessage response) =>
        ErrorCode(response) is { } code ? $"{(int)response.StatusCode} {code}" : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
}
