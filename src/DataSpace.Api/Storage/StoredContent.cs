using DataSpace.Api.Problems;

namespace DataSpace.Api.Storage;

/// <summary>
/// Opens content the database says is stored, after checking the store holds a blob of the recorded size. A blob that is
/// missing or of another length is lost data (a store that crashed after acknowledging a write, a tampered disk): the
/// caller gets a problem with a stable code to answer with, and operations get a Critical log line, never a bare 500.
/// </summary>
internal static partial class StoredContent
{
    /// <summary>
    /// The stream of [offset, offset + length) of the blob, or the problem to answer when the blob is not as recorded. The blob's
    /// size comes with the read itself (one round trip); only an answer that does not state it costs a second, a size probe.
    /// </summary>
    public static async Task<(Stream? Stream, IResult? Problem)> OpenAsync(
        IBlobStore blobs, string key, long recordedSize, long offset, long? length, string what, ILogger logger, CancellationToken ct)
    {
        long? stored = null;
        try
        {
            var stream = await blobs.OpenReadAsync(key, offset, length, ct);
            stored = stream.BlobLength ?? await blobs.SizeAsync(key, ct);
            if (stored == recordedSize)
            {
                return (stream, null);
            }

            await stream.DisposeAsync();
        }
        catch (BlobNotFoundException)
        {
        }

        LogUnavailable(logger, what, key, recordedSize, stored);
        return (null, Unavailable(what));
    }

    /// <summary>The problem for content the scrub or a verification found damaged; logged at every refusal, as data loss is.</summary>
    public static IResult Damaged(string what, string key, string damage, ILogger logger)
    {
        LogDamaged(logger, what, key, damage);
        return Unavailable(what);
    }

    /// <summary>
    /// Whether the store holds a blob of the recorded size under the key and, where a checksum of the store's own was recorded
    /// at upload, the store still reports that checksum.
    /// </summary>
    public static async Task<bool> IsStoredAsync(IBlobStore blobs, string key, long recordedSize, byte[]? recordedChecksum, CancellationToken ct) =>
        await blobs.InfoAsync(key, ct) is { } info && info.Size == recordedSize
            && (recordedChecksum is null || (info.Checksum is { } now && now.AsSpan().SequenceEqual(recordedChecksum)));

    public static ProblemHttpResult Unavailable(string what) =>
        Problem.Of(StatusCodes.Status500InternalServerError, ProblemCodes.ContentUnavailable, "The stored content is unavailable",
            $"The content of {what} is missing from the blob store or differs from what was recorded. Operations have been alerted; retrying will not help until it is restored.");

    [LoggerMessage(Level = LogLevel.Critical, Message = "Content of {What} is damaged ({Damage}): blob {BlobKey} no longer holds what the manifest records")]
    private static partial void LogDamaged(ILogger logger, string what, string blobKey, string damage);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Content of {What} is lost: blob {BlobKey} should hold {RecordedSize} bytes, the store has {StoredSize}")]
    private static partial void LogUnavailable(ILogger logger, string what, string blobKey, long recordedSize, long? storedSize);
}
