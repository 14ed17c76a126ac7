namespace DataSpace.Api.Storage;

/// <summary>
/// The seam between DataSpace and where file bytes live: the embedded filesystem store or Azure Blob Storage.
/// The Azure adapter is Azure.Storage.Blobs behind this interface (DEPENDENCIES.md).
/// Dataset files run to many gigabytes, so every method streams: no implementation may hold a whole blob in memory.
/// Keys are ours, never a client's file name (see <see cref="BlobKey"/>); both adapters are proven by one contract test suite.
/// </summary>
internal interface IBlobStore
{
    /// <summary>A short name for health reports: filesystem or azure.</summary>
    string Kind { get; }

    /// <summary>Checks the store is reachable and usable (creating its folder or container if needed); throws <see cref="BlobStoreUnavailableException"/> if not.</summary>
    Task CheckAsync(CancellationToken ct);

    /// <summary>
    /// Reads <paramref name="source"/> to its end and stores it under <paramref name="key"/>, replacing any blob there;
    /// returns the number of bytes stored. The replacement is atomic: readers see the old blob or the new one, never a part.
    /// If <paramref name="source"/> throws (a client aborted its upload) or <paramref name="ct"/> is cancelled, that exception
    /// propagates unchanged and nothing new is left under the key (a blob that was already there stays), so a failed upload
    /// never leaves an orphan for a row that will not be written.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not a valid <see cref="BlobKey"/>.</exception>
    /// <exception cref="BlobStoreUnavailableException">The store could not be reached or written (the API answers 503).</exception>
    Task<long> UploadAsync(string key, Stream source, CancellationToken ct);

    /// <summary>
    /// Opens the bytes [offset, offset + length) of a blob, or [offset, end) when <paramref name="length"/> is null, as a
    /// forward-only stream the caller disposes. A range reaching past the end is clipped to the end, and an offset at or past
    /// the end gives an empty stream: callers know the size from the manifest and answer 416 themselves. Failures while the
    /// returned stream is read (the store went away mid-download) surface as <see cref="IOException"/> from the stream.
    /// The stream's <see cref="BlobReadStream.BlobLength"/> is the whole blob's size from the same answer, where the store gave it.
    /// </summary>
    /// <exception cref="BlobNotFoundException">No blob is stored under the key.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> or <paramref name="length"/> is negative.</exception>
    Task<BlobReadStream> OpenReadAsync(string key, long offset, long? length, CancellationToken ct);

    /// <summary>Whether a blob is stored under the key.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken ct);

    /// <summary>
    /// The size in bytes of the blob stored under the key, as the store itself reports it, or null when there is none: lets
    /// a commit prove that what it freezes is really stored, and a download that what it promises is there.
    /// </summary>
    /// <exception cref="BlobStoreUnavailableException">The store could not be reached.</exception>
    Task<long?> SizeAsync(string key, CancellationToken ct);

    /// <summary>
    /// The blob's size and the store's own checksum of its content where the store keeps one (Azure's Content-MD5, which the
    /// service computes for a blob written in one Put Blob; none for a block list, nor in the filesystem store), or null when
    /// there is no blob: recorded at upload and compared at commit, so content replaced by other bytes of the same length
    /// in between is refused.
    /// </summary>
    /// <exception cref="BlobStoreUnavailableException">The store could not be reached.</exception>
    Task<StoredBlobInfo?> InfoAsync(string key, CancellationToken ct);

    /// <summary>Deletes the blob under the key. Deleting a missing blob is not an error, so a cleanup can simply be retried.</summary>
    Task DeleteAsync(string key, CancellationToken ct);
}

/// <summary>What the store says of a blob it holds: its size, and its own checksum of the content if it keeps one.</summary>
internal sealed record StoredBlobInfo(long Size, byte[]? Checksum);

/// <summary>The store is unreachable or failing (network, disk, a 5xx from Azure): transient from the client's side, so the API answers 503 with Retry-After.</summary>
internal sealed class BlobStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>No blob under the key. For a key the database references this means lost data, not a client error, so endpoints decide what to say.</summary>
internal sealed class BlobNotFoundException(string key) : Exception($"No blob is stored under '{key}'.")
{
    public string Key { get; } = key;
}
