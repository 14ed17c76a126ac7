using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Api.Storage;
using DataSpace.Contracts.Records;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace DataSpace.Api.Features.Records;

internal sealed class RecordFileOptions
{
    public const string Section = "Records";

    /// <summary>Largest evidence or report file (Records__MaxFileBytes, default 200 MiB); larger uploads get 413.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Set Records:MaxFileBytes to a positive number of bytes.")]
    public long MaxFileBytes { get; set; } = 200L * 1024 * 1024;
}

/// <summary>
/// Evidence and report files of records. The unit names the file with <c>Content-Disposition: attachment;
/// filename*=UTF-8''…</c> (RFC 6266, so Chinese names travel exactly); the body streams to the blob store, hashed on the
/// way, content stored once. Replacing a file is uploading again while the record is editable.
/// </summary>
internal static class RecordFileEndpoints
{
    public static void MapEvidence(RouteGroupBuilder group, RecordKind kind, string pascal)
    {
        group.MapPut("/{id}/evidence", (string id, HttpContext http, RecordStore store, IBlobStore blobs, IOptions<RecordFileOptions> options, TimeProvider clock, CancellationToken ct) =>
                UploadAsync(kind, id, http, store, blobs, options.Value, clock, "evidence", (stored, file) =>
                {
                    stored["evidence"] = JsonSerializer.SerializeToNode(file, Http.Json.Options);
                    return true;
                }, ct))
            .WithName($"Upload{pascal}Evidence")
            .WithSummary("Upload the evidence file (raw body; name it with Content-Disposition filename*=UTF-8''…); replaces an earlier one while the record is editable (owner)")
            .RequireAuthorization(Auth.Policies.RecordKeeper)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute())
            .HoldsUploadSlot()
            .WithMetadata(new OpenApi.DocumentedBody(typeof(Stream), "application/octet-stream"))
            .Produces(StatusCodes.Status200OK, kind.ContractType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapGet("/{id}/evidence", (string id, HttpContext http, RecordStore store, IBlobStore blobs, AuditChain audit, CancellationToken ct, int? revision) =>
                DownloadAsync(kind, id, revision, http, store, blobs, audit, stored => stored["evidence"]?.Deserialize<RecordFile>(Http.Json.Options), ct))
            .WithName($"Download{pascal}Evidence")
            .WithSummary("Download the evidence file of the newest revision the caller may see (or ?revision=n)")
            .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>
    /// Streams the request body into the blob store and attaches it to the owner's editable record with
    /// <paramref name="attach"/> (false: the target is gone, e.g. no such valuation — answered by <paramref name="missing"/>).
    /// </summary>
    public static async Task<IResult> UploadAsync(
        RecordKind kind, string id, HttpContext http, RecordStore store, IBlobStore blobs, RecordFileOptions options, TimeProvider clock, string role,
        Func<JsonObject, RecordFile, bool> attach, CancellationToken ct, Func<IResult>? missing = null)
    {
        var (name, nameProblem) = FileName(http.Request);
        if (name is null)
        {
            return Problem.Of(StatusCodes.Status400BadRequest, ProblemCodes.InvalidFileName, "The file name is missing or not allowed", nameProblem);
        }

        var owner = Auth.Caller.OrganizationId(http.User);
        if (!Guid.TryParse(id, out var recordId) || await store.FindAsync(kind, recordId, RecordStore.Viewer.Owner, owner, null, ct) is not { } current)
        {
            return RecordEndpoints.NotFound(kind, id);
        }

        if (!current.Editable)
        {
            return RecordEndpoints.NotEditable(current);
        }

        if (http.Request.ContentLength > options.MaxFileBytes)
        {
            return TooLarge(options.MaxFileBytes);
        }

        var guid = Guid.NewGuid().ToString("N");
        var key = $"records/{guid[..2]}/{guid}";
        using var body = new HashingReadStream(http.Request.Body, options.MaxFileBytes);
        try
        {
            await blobs.UploadAsync(key, body, ct);
        }
        catch (FileTooLargeException)
        {
            return TooLarge(options.MaxFileBytes);
        }

        var sha256 = body.Hash();
        var contentType = MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var declared) && declared.MediaType.Value is { Length: <= 100 } type
            ? type : "application/octet-stream";
        var file = new RecordFile(Guid.CreateVersion7(clock.GetUtcNow()).ToString(), name, body.BytesRead, Convert.ToHexStringLower(sha256), contentType);
        var kept = false;
        var found = true;
        RecordStore.ChangeOutcome outcome;
        RecordStore.RecordRow? row;
        try
        {
            (outcome, row) = await store.ChangeAsync(kind, recordId, owner, clock.GetUtcNow(), AuditActor.From(http), async (current, conn, tx) =>
            {
                var stored = JsonNode.Parse(current.Fields)!.AsObject();
                if (!attach(stored, file))
                {
                    found = false;
                    return null;
                }

                kept = await RecordStore.RecordFileAsync(conn, tx, new RecordStore.FileRow(Guid.Parse(file.Id), owner, recordId, name, file.Size, sha256, contentType, key), clock.GetUtcNow(), ct);
                return new RecordStore.Change(stored.ToJsonString(Http.Json.Options), role + "_uploaded", new { file_name = name, size = file.Size, sha256 = file.Sha256 });
            }, ct);
        }
        finally
        {
            if (!kept)
            {
                // Identical content is already stored, or nothing was recorded: this copy is not needed.
                await blobs.DeleteAsync(key, CancellationToken.None);
            }
        }

        return outcome switch
        {
            RecordStore.ChangeOutcome.Refused when !found && missing is not null => missing(),
            _ => RecordEndpoints.Outcome(kind, id, outcome, row, new Validation(), clock),
        };
    }

    /// <summary>Serves a record's file to whoever may see the record (owner; bureau once submitted): full body, strong ETag, Content-Digest.</summary>
    public static async Task<IResult> DownloadAsync(
        RecordKind kind, string id, int? revision, HttpContext http, RecordStore store, IBlobStore blobs, AuditChain audit, Func<JsonObject, RecordFile?> pick, CancellationToken ct)
    {
        var row = await RecordEndpoints.VisibleAsync(kind, id, revision, http, store, audit, ct);
        if (row is null)
        {
            return RecordEndpoints.NotFound(kind, id);
        }

        var file = pick(JsonNode.Parse(row.Fields)!.AsObject());
        var stored = file is null ? null : await store.FileAsync(row.Id, Guid.Parse(file.Id), ct);
        if (stored is null)
        {
            return Problem.NotFound(ProblemCodes.FileNotFound, "File not found", $"Revision {row.Revision} has no such file.");
        }

        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RecordFileEndpoints).FullName!);
        if (stored.Damage is { } damage)
        {
            return StoredContent.Damaged($"file {stored.Id} of {kind.Name} {row.Id}", stored.BlobKey, damage, logger);
        }

        var (content, lost) = await StoredContent.OpenAsync(blobs, stored.BlobKey, stored.Size, 0, null, $"file {stored.Id} of {kind.Name} {row.Id}", logger, ct);
        if (content is null)
        {
            return lost!;
        }

        var response = http.Response;
        response.Headers.ETag = $"\"{Convert.ToHexStringLower(stored.Sha256)}\"";
        response.Headers["Content-Digest"] = $"sha-256=:{Convert.ToBase64String(stored.Sha256)}:";
        response.Headers.ContentDisposition = FileNames.ContentDisposition(stored.FileName);
        response.Headers.CacheControl = "private, no-cache";
        return TypedResults.Stream(content, stored.ContentType, lastModified: null, entityTag: null);
    }

    private static ProblemHttpResult TooLarge(long max) =>
        Problem.Of(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge, "The file is too large",
            $"Record files may be at most {max} bytes (setting Records:MaxFileBytes). Nothing was stored.");

    /// <summary>
    /// The file name from Content-Disposition (filename* preferred, RFC 6266/8187), NFC, without folders: at most 255
    /// UTF-8 bytes, no characters <see cref="Http.FileNames"/> refuses, no path separators, not "." or "..".
    /// </summary>
    internal static (string? Name, string? Problem) FileName(HttpRequest request)
    {
        const string Hint = "Name the file: Content-Disposition: attachment; filename*=UTF-8''<percent-encoded name>.";
        if (!ContentDispositionHeaderValue.TryParse(request.Headers.ContentDisposition.ToString(), out var header))
        {
            return (null, Hint);
        }

        var raw = header.FileNameStar.HasValue ? header.FileNameStar.Value : HeaderUtilities.RemoveQuotes(header.FileName).Value;
        if (string.IsNullOrWhiteSpace(raw))
        {
            return (null, Hint);
        }

        var name = raw.Trim().Normalize(NormalizationForm.FormC);
        if (name is "." or ".." || name.IndexOfAny(['/', '\\']) >= 0)
        {
            return (null, "A file name names a file, not a path: no '/', '\\', '.' or '..'.");
        }

        if (Http.FileNames.CharacterProblem(name) is { } characters)
        {
            return (null, $"The file name {characters}.");
        }

        if (Encoding.UTF8.GetByteCount(name) > 255)
        {
            return (null, "The file name must be at most 255 bytes in UTF-8.");
        }

        return (name, null);
    }
}
