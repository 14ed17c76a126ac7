using System.Buffers;
using System.Security.Cryptography;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Storage;
using DataSpace.Contracts.Versions;

namespace DataSpace.Api.Features.Integrity;

/// <summary>
/// Reads stored content back in full and hashes it against what the database records: the check a size comparison cannot
/// make (same length, other bytes — a flipped sector, a tampered object). Used by the background scrub and by an owner's
/// verification of a version. A store that cannot be reached proves nothing: that propagates, nothing is recorded.
/// </summary>
internal sealed partial class ContentVerifier(IBlobStore blobs, IntegrityStore store, TimeProvider clock, ILogger<ContentVerifier> logger)
{
    private const int BufferBytes = 1 << 20;

    /// <summary>Verifies one blob and records the outcome; returns intact, missing, size or sha256.</summary>
    public async Task<string> VerifyAsync(IntegrityStore.DueBlob blob, AuditActor actor, CancellationToken ct)
    {
        var status = await ReadBackAsync(blob, ct);
        if (await store.RecordAsync(blob.Sha256, blob.BlobKey, status, clock.GetUtcNow(), actor, ct))
        {
            LogDamaged(logger, blob.Sha256, blob.BlobKey, status, blob.Size);
        }

        return status;
    }

    private async Task<string> ReadBackAsync(IntegrityStore.DueBlob blob, CancellationToken ct)
    {
        BlobReadStream stream;
        try
        {
            stream = await blobs.OpenReadAsync(blob.BlobKey, 0, null, ct);
        }
        catch (BlobNotFoundException)
        {
            return FileConditions.Missing;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            await using (stream)
            {
                if (stream.BlobLength is { } length && length != blob.Size)
                {
                    return FileConditions.Size;
                }

                using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long read = 0;
                int n;
                while ((n = await stream.ReadAsync(buffer.AsMemory(0, BufferBytes), ct)) > 0)
                {
                    read += n;
                    if (read > blob.Size)
                    {
                        return FileConditions.Size;
                    }

                    sha256.AppendData(buffer, 0, n);
                }

                return read != blob.Size ? FileConditions.Size
                    : sha256.GetHashAndReset().AsSpan().SequenceEqual(blob.Sha256) ? FileConditions.Intact
                    : FileConditions.Sha256;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Stored content {Sha256} is damaged ({Damage}): blob {BlobKey} should hold {Size} bytes with that SHA-256; downloads of it are refused until an upload of the same content restores it")]
    private static partial void LogDamagedHex(ILogger logger, string sha256, string blobKey, string damage, long size);

    private static void LogDamaged(ILogger logger, byte[] sha256, string blobKey, string damage, long size)
    {
        if (logger.IsEnabled(LogLevel.Critical))
        {
            var hex = Convert.ToHexStringLower(sha256);
            LogDamagedHex(logger, hex, blobKey, damage, size);
        }
    }
}
