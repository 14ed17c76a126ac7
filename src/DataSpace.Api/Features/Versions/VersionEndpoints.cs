using DataSpace.Api.Auth;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Previews;
using DataSpace.Api.Features.Profiles;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Api.Storage;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Datasets;
using DataSpace.Contracts.Versions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace DataSpace.Api.Features.Versions;

internal static partial class VersionEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = CreateContentTypes();

    public static RouteGroupBuilder MapVersionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/datasets/{id}/versions").WithTags("Versions").RequireAuthorization(Policies.Catalog);

        group.MapPost("/", OpenVersion).WithName("OpenVersion")
            .WithSummary("Open the next version as a draft; one draft at a time (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListVersions).WithName("ListVersions")
            .WithSummary("Versions, newest first: committed ones for everyone who sees the dataset, drafts for the owner")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{n}", GetVersion).WithName("GetVersion")
            .WithSummary("One version with its manifest; n is a number or 'latest' (the latest committed version). Organisations that may not read " +
                "the files yet get the preview the owner's preview policy allows (view: preview); authority reads are audited")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{n}/files/{*path}", UploadFile).WithName("UploadFile")
            .WithSummary("Stream one file into a draft version (raw body). Path: relative, '/'-separated, NFC, ≤ 255 bytes. " +
                "A Content-Digest or Repr-Digest sha-256 is verified. Identical content is stored once (owner)")
            .RequireAuthorization(Policies.Publisher)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute())
            .HoldsUploadSlot()
            // Not Accepts<Stream>: routing would then answer 415 to every type but the one listed. Any declared type is stored.
            .WithMetadata(new OpenApi.BinaryBody("The file's bytes, streamed. Any Content-Type is accepted and stored, then served back on download; " +
                "application/octet-stream (or none) stores the type the file name implies. A type that contradicts the file name " +
                "(e.g. report.csv sent as application/pdf) is refused with 415 content_type_mismatch."))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapDelete("/{n}/files/{*path}", RemoveFile).WithName("RemoveFile")
            .WithSummary("Remove a file from a draft version (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{n}/commit", CommitVersion).WithName("CommitVersion")
            .WithSummary("Freeze a draft: its manifest (path, size, sha256) and manifest hash never change again (owner). " +
                "Each file's content is then profiled in the background; the profile appears on the version's files. " +
                "Refused (409 version_content_missing, naming the files) when an uploaded file is not in the blob store at its recorded size")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Results<Created<DatasetVersion>, ProblemHttpResult>> OpenVersion(
        string id, CreateVersionRequest request, HttpContext http, DatasetAccess datasets, VersionStore versions, TimeProvider clock, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        if (dataset.Status == DatasetStatuses.Withdrawn)
        {
            return Problem.Conflict(ProblemCodes.DatasetWithdrawn, "A withdrawn dataset takes no new versions");
        }

        var notes = request.Notes?.Trim() ?? "";
        if (notes.Length > 5000)
        {
            return new Validation().Add("notes", "must be at most 5000 characters").ToProblem();
        }

        var version = await versions.OpenDraftAsync(dataset.Id, dataset.OwnerId, notes, clock.GetUtcNow(), Audit.AuditActor.From(http), ct);
        return version is null
            ? Problem.Conflict(ProblemCodes.DraftVersionExists, "A draft version is already open", "Commit or fill the open draft first.")
            : TypedResults.Created($"/v1/datasets/{dataset.Id}/versions/{version.Number}", version.ToContract([]));
    }

    private static async Task<Results<Ok<Page<DatasetVersion>>, ProblemHttpResult>> ListVersions(
        string id, HttpContext http, DatasetAccess datasets, VersionStore versions, CancellationToken ct, string? cursor = null, int? limit = null)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var v = new Validation();
        var (before, size) = Paging.ReadNumeric(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var rows = await versions.ListAsync(dataset.Id, dataset.IsOwnedBy(http.User.OrganizationId()), before is { } b ? (int)Math.Min(b, int.MaxValue) : null, size + 1, ct);
        var next = rows.Count > size ? Paging.CursorFor(rows[size - 1].Number) : null;
        return TypedResults.Ok(new Page<DatasetVersion>([.. rows.Take(size).Select(r => r.ToContract())], next));
    }

    private static async Task<Results<Ok<DatasetVersion>, ProblemHttpResult>> GetVersion(
        string id, string n, HttpContext http, DatasetAccess datasets, VersionStore versions, ManifestAccess manifests, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var (version, versionProblem) = await VersionAccess.ResolveAsync(dataset, n, http, versions, ct);
        if (version is null)
        {
            return versionProblem!;
        }

        var view = await manifests.ForAsync(dataset, version.Number, http, ct);
        var files = await versions.FilesAsync(dataset.Id, version.Number, ct);
        return TypedResults.Ok(version.ToContract([.. files.Select(f => view.Apply(f.ToContract()))]) with { View = view.Kind });
    }

    /// <summary>Finds the caller's dataset and a draft version of it, for the write operations on files.</summary>
    private static async Task<(DatasetRow? Dataset, VersionRow? Version, ProblemHttpResult? Problem)> OwnedDraftAsync(
        string id, string n, HttpContext http, DatasetAccess datasets, VersionStore versions, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return (null, null, problem);
        }

        var (version, versionProblem) = await VersionAccess.ResolveAsync(dataset, n, http, versions, ct);
        if (version is null)
        {
            return (null, null, versionProblem);
        }

        return version.Status == VersionStatuses.Draft
            ? (dataset, version, null)
            : (null, null, Problem.Conflict(ProblemCodes.VersionCommitted, "The version is committed", $"Version {version.Number} is immutable; open a new version to change files."));
    }

    private static async Task<Results<Created<VersionFile>, Ok<VersionFile>, ProblemHttpResult>> UploadFile(
        string id, string n, HttpContext http, DatasetAccess datasets, VersionStore versions, IBlobStore blobs,
        IOptions<DatasetFileOptions> options, TimeProvider clock, ILogger<VersionStore> logger, CancellationToken ct)
    {
        var (path, pathProblem) = FilePath.FromRawTarget(http.Features.Get<IHttpRequestFeature>()!.RawTarget, $"/versions/{n}/files/");
        if (path is null)
        {
            return Problem.Of(400, ProblemCodes.InvalidFilePath, "The file path is not allowed", pathProblem);
        }

        var expected = ExpectedDigest(http.Request, out var digestProblem);
        if (digestProblem is not null)
        {
            return Problem.Of(400, ProblemCodes.InvalidDigest, "The digest header is malformed", digestProblem);
        }

        var (contentType, typeProblem) = ContentTypeFor(http.Request, path);
        if (contentType is null)
        {
            return typeProblem!;
        }

        var (dataset, version, problem) = await OwnedDraftAsync(id, n, http, datasets, versions, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var max = options.Value.MaxFileBytes;
        if (http.Request.ContentLength > max)
        {
            return FileUpload.TooLarge(max);
        }

        return await new FileUpload(blobs, versions, clock, logger).StoreAsync(
            dataset, version!.Number, path, contentType, expected, http.Request.Body, max, Audit.AuditActor.From(http), ct);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveFile(
        string id, string n, HttpContext http, DatasetAccess datasets, VersionStore versions, CancellationToken ct)
    {
        var (path, pathProblem) = FilePath.FromRawTarget(http.Features.Get<IHttpRequestFeature>()!.RawTarget, $"/versions/{n}/files/");
        if (path is null)
        {
            return Problem.Of(400, ProblemCodes.InvalidFilePath, "The file path is not allowed", pathProblem);
        }

        var (dataset, version, problem) = await OwnedDraftAsync(id, n, http, datasets, versions, ct);
        if (dataset is null)
        {
            return problem!;
        }

        return await versions.RemoveFileAsync(dataset.Id, dataset.OwnerId, version!.Number, path, Audit.AuditActor.From(http), ct)
            ? TypedResults.NoContent()
            : Problem.NotFound(ProblemCodes.FileNotFound, "File not found", $"Version {version.Number} has no file '{path}'.");
    }

    private static async Task<Results<Ok<DatasetVersion>, ProblemHttpResult>> CommitVersion(
        string id, string n, HttpContext http, DatasetAccess datasets, VersionStore versions, IBlobStore blobs, ProfileSignal profiling, TimeProvider clock,
        ILogger<VersionStore> logger, CancellationToken ct)
    {
        var (dataset, version, problem) = await OwnedDraftAsync(id, n, http, datasets, versions, ct);
        if (dataset is null)
        {
            return problem!;
        }

        // An acknowledged upload can still be lost (a store that crashed before persisting it): freeze only what is there.
        var lost = await LostFilesAsync(await versions.FilesAsync(dataset.Id, version!.Number, ct), blobs, ct);
        if (lost.Count > 0)
        {
            LogLostUploads(logger, dataset.Id, version.Number, lost.Count);
            return Problem.Of(StatusCodes.Status409Conflict, ProblemCodes.VersionContentMissing, "Some files of the version are not in the blob store",
                $"{lost.Count} uploaded file(s) are missing from the blob store or differ in size from what was received; upload them again, then commit.",
                new Dictionary<string, object?> { ["files"] = lost });
        }

        var outcome = await versions.CommitAsync(dataset.Id, dataset.OwnerId, version.Number, clock.GetUtcNow(), Audit.AuditActor.From(http), ct);
        if (outcome == VersionStore.CommitOutcome.Committed)
        {
            profiling.Wake();
        }

        return outcome switch
        {
            VersionStore.CommitOutcome.Empty => Problem.Conflict(ProblemCodes.VersionEmpty, "The version has no files", "Upload at least one file before committing."),
            VersionStore.CommitOutcome.NotDraft => Problem.Conflict(ProblemCodes.VersionCommitted, "The version is already committed"),
            _ => TypedResults.Ok((await versions.FindAsync(dataset.Id, version.Number, ct))!
                .ToContract([.. (await versions.FilesAsync(dataset.Id, version.Number, ct)).Select(f => f.ToContract())])),
        };
    }

    /// <summary>
    /// The paths whose blobs the store does not hold at the recorded size (and with the store's own checksum recorded at upload,
    /// where it keeps one), or that a verification found damaged, in path order; a few probes at a time. Size and checksum come
    /// from one Get Blob Properties; the bytes themselves are hashed again by the scrub, never-verified content first.
    /// </summary>
    private static async Task<List<string>> LostFilesAsync(IReadOnlyList<FileRow> files, IBlobStore blobs, CancellationToken ct)
    {
        var lost = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (file, token) =>
        {
            if (file.Damage is not null || !await StoredContent.IsStoredAsync(blobs, file.BlobKey, file.Size, file.StoreChecksum, token))
            {
                lost.Add(file.Path);
            }
        });
        return [.. lost.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Every sha-256 a client declared in Content-Digest and in Repr-Digest (RFC 9530), e.g. <c>sha-256=:base64:</c>:
    /// an upload is a whole representation without content coding, so each must equal the hash of the bytes received.
    /// Other algorithms are ignored; a malformed sha-256 member is an error.
    /// </summary>
    private static List<byte[]> ExpectedDigest(HttpRequest request, out string? problem)
    {
        problem = null;
        var expected = new List<byte[]>();
        foreach (var header in new[] { "Content-Digest", "Repr-Digest" })
        {
            foreach (var member in request.Headers[header].SelectMany(h => (h ?? "").Split(',')))
            {
                var eq = member.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0 || !member[..eq].Trim().Equals("sha-256", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var value = member[(eq + 1)..].Trim();
                var bytes = new byte[32];
                if (value.Length < 2 || value[0] != ':' || value[^1] != ':' || !Convert.TryFromBase64String(value[1..^1], bytes, out var written) || written != 32)
                {
                    problem = $"{header} sha-256 must be a byte sequence ':<base64 of 32 bytes>:' (RFC 9530).";
                    return [];
                }

                expected.Add(bytes);
            }
        }

        return expected;
    }

    /// <summary>
    /// The type to store: the declared one (with its parameters, e.g. charset), or, for none or application/octet-stream,
    /// the one the file name implies. A declared type that contradicts a file name whose type is known is refused, since
    /// consumers and the profiler trust the stored type: report.csv declared application/pdf is a mistake, not a PDF.
    /// </summary>
    private static (string? ContentType, ProblemHttpResult? Problem) ContentTypeFor(HttpRequest request, string path)
    {
        var implied = ContentTypes.TryGetContentType(path, out var guessed) ? guessed : "application/octet-stream";
        if (string.IsNullOrEmpty(request.ContentType))
        {
            return (implied, null);
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var declared) || declared.MediaType.Value is not { } type
            || declared.Type.Value == "*" || declared.SubType.Value == "*" || request.ContentType.Length > 200)
        {
            return (null, Problem.Of(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "The Content-Type is not a media type",
                $"'{request.ContentType}' is not a concrete media type such as text/csv or application/pdf (RFC 9110 §8.3), at most 200 characters."));
        }

        if (type.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            return (implied, null);
        }

        if (implied != "application/octet-stream" && !Compatible(type, implied))
        {
            return (null, Problem.Of(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.ContentTypeMismatch, "The Content-Type contradicts the file name",
                $"'{path}' is {implied} by its name, but the request declared {type}. Send {implied} (or application/octet-stream), or rename the file. Nothing was stored."));
        }

        return (declared.ToString(), null);
    }

    /// <summary>Whether a declared type is the implied one or a common spelling of it (Windows sends .csv as application/vnd.ms-excel); text files may declare any text type.</summary>
    private static bool Compatible(string declared, string implied)
    {
        if (declared.Equals(implied, StringComparison.OrdinalIgnoreCase)
            || (implied.StartsWith("text/", StringComparison.Ordinal) && declared.StartsWith("text/", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        string[] aliases = implied switch
        {
            "text/csv" => ["application/csv", "application/vnd.ms-excel"],
            "application/json" => ["text/json", "text/plain"],
            "application/jsonl" or "application/x-ndjson" => ["application/jsonl", "application/x-ndjson", "application/x-jsonlines", "application/json", "text/plain"],
            "application/x-zip-compressed" or "application/zip" => ["application/zip", "application/x-zip-compressed"],
            "text/xml" or "application/xml" => ["text/xml", "application/xml"],
            _ => [],
        };
        return aliases.Contains(declared, StringComparer.OrdinalIgnoreCase);
    }

    private static FileExtensionContentTypeProvider CreateContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".jsonl"] = "application/jsonl";
        provider.Mappings[".ndjson"] = "application/x-ndjson";
        provider.Mappings[".parquet"] = DataSpace.Parquet.ParquetWriter.MediaType;
        provider.Mappings[".csv"] = "text/csv";
        return provider;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Commit of dataset {DatasetId} version {Version} refused: {Count} acknowledged upload(s) are missing from the blob store")]
    private static partial void LogLostUploads(ILogger logger, Guid datasetId, int version, int count);
}
