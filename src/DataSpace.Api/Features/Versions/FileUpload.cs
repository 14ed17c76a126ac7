using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Storage;
using DataSpace.Contracts.Versions;

namespace DataSpace.Api.Features.Versions;

/// <summary>
/// One file streamed into a draft version. The body goes to a blob under a key of our own while it is hashed; it is checked
/// against the digest headers, then recorded (content, manifest row, audit event) in one transaction that also returns the
/// row as written. One cleanup, at the end, deletes the blob nobody points at: this upload's copy when it was refused or
/// identical content is already stored, or the lost or damaged copy it replaced.
/// </summary>
internal sealed partial class FileUpload(IBlobStore blobs, VersionStore versions, TimeProvider clock, ILogger logger)
{
    public static ProblemHttpResult TooLarge(long max) =>
        Problem.Of(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge, "The file is too large",
            $"Files may be at most {max} bytes (setting Files:MaxFileBytes). Nothing was stored.");

    /// <param name="expected">Every sha-256 the client declared (Content-Digest, Repr-Digest); each must equal the hash of the bytes received.</param>
    public async Task<Results<Created<VersionFile>, Ok<VersionFile>, ProblemHttpResult>> StoreAsync(
        DatasetRow dataset, int version, string path, string contentType, IReadOnlyList<byte[]> expected, Stream source, long max,
        AuditActor actor, CancellationToken ct)
    {
        // Our own key, never the client's name: the manifest maps paths to content.
        var guid = Guid.NewGuid().ToString("N");
        var key = $"files/{guid[..2]}/{guid}";
        using var body = new HashingReadStream(source, max);
        try
        {
            await blobs.UploadAsync(key, body, ct);
        }
        catch (FileTooLargeException)
        {
            return TooLarge(max);
        }

        var unreferenced = key;
        try
        {
            var sha256 = body.Hash();
            if (expected.FirstOrDefault(e => !e.AsSpan().SequenceEqual(sha256)) is { } wrong)
            {
                return Problem.Of(400, ProblemCodes.DigestMismatch, "The content does not match its digest",
                    $"A digest header gave sha-256 {Convert.ToBase64String(wrong)}, the received {body.BytesRead} bytes hash to {Convert.ToBase64String(sha256)}. Nothing was stored.");
            }

            var recorded = await versions.RecordUploadAsync(dataset.Id, dataset.OwnerId, version, path, sha256, body.BytesRead, contentType, key,
                stored => InspectAsync(stored, key, body.BytesRead, ct), clock.GetUtcNow(), actor, ct);
            // Kept: this copy is now the stored one, and what is left of a copy it replaced is wrong bytes nobody points at.
            // Not kept: identical content is already stored (or the version was committed meanwhile), so this copy is not needed.
            unreferenced = recorded.BlobKept ? recorded.ReplacedKey : key;
            if (recorded.File is not { } row)
            {
                return Problem.Conflict(ProblemCodes.VersionCommitted, "The version was committed during the upload", "Nothing was stored; open a new version.");
            }

            var file = row.ToContract();
            var location = $"/v1/datasets/{dataset.Id}/versions/{version}/files/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";
            LogStored(logger, dataset.Id, version, file.Size, recorded.BlobKept);
            return recorded.Outcome == VersionStore.RecordOutcome.Created ? TypedResults.Created(location, file) : TypedResults.Ok(file);
        }
        finally
        {
            if (unreferenced is not null)
            {
                await blobs.DeleteAsync(unreferenced, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Identical content stored before is reused, unless the store lost it or a verification found it damaged: then this
    /// upload, hashed as it arrived, restores it (the lost copy's key comes back). With it, the store's own checksum of what
    /// it now holds under <paramref name="key"/> (where it keeps one), so a commit can tell if it changed in between.
    /// </summary>
    private async Task<(string? LostKey, byte[]? StoreChecksum)> InspectAsync(VersionStore.StoredBlob? stored, string key, long size, CancellationToken ct)
    {
        var lost = stored is not null && (stored.Damage is not null || !await StoredContent.IsStoredAsync(blobs, stored.BlobKey, size, stored.StoreChecksum, ct));
        return (lost ? stored!.BlobKey : null, (await blobs.InfoAsync(key, ct))?.Checksum);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored file for dataset {DatasetId} version {Version}: {Size} bytes (new content: {NewContent})")]
    private static partial void LogStored(ILogger logger, Guid datasetId, int version, long size, bool newContent);
}
