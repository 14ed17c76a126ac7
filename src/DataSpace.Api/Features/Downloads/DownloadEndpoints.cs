using System.Buffers;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Access;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Consents;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Versions;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Api.Storage;
using DataSpace.Contracts.Consents;
using DataSpace.Contracts.Datasets;
using DataSpace.Contracts.Versions;
using DataSpace.Parquet;
using DataSpace.Api.Telemetry;
using DataSpace.Usage.Metering;
using Microsoft.AspNetCore.Http.Features;
using static DataSpace.Api.Http.FileNames;

namespace DataSpace.Api.Features.Downloads;

/// <summary>
/// File downloads: HEAD and GET with single byte ranges, If-Range, strong ETags from the content hash, Content-Digest on
/// full responses, RFC 6266 file names. Every GET writes a usage event that survives the client going away.
/// </summary>
internal static partial class DownloadEndpoints
{
    private const int CopyBufferBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapDownloadEndpoints(this IEndpointRouteBuilder app)
    {
        const string route = "/v1/datasets/{id}/versions/{n}/files/{*path}";
        Describe(app.MapGet(route, Download).WithName("DownloadFile")
            .WithSummary("Download a file. Open datasets: every organisation; paid: entitled organisations and the owner; an assessor invited with " +
                "allow_files: the invited versions (403 assessment_files_not_allowed without it, assessment_version_not_invited for another version). " +
                "Single byte ranges (206/416), If-Range, strong ETag, Content-Digest on full responses. Every GET is metered. " +
                "Under a usage policy with the attribution duty, the answer carries DataSpace-Attribution (percent-encoded UTF-8). " +
                "?format=parquet sends the Parquet rendition of a csv, tsv or jsonl file (409 rendition_pending with Retry-After until it is written, " +
                "404 rendition_unavailable when there is none) or a Parquet file as it is")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status206PartialContent, contentType: "application/octet-stream"));
        Describe(app.MapMethods(route, ["HEAD"], Download).WithName("GetFileHeaders")
            .WithSummary("The headers a GET of the file would answer with (size, ETag, Content-Digest), without the body; not metered")
            .Produces(StatusCodes.Status200OK));
        return app;
    }

    private static void Describe(RouteHandlerBuilder endpoint) => endpoint
        .WithTags("Downloads")
        .RequireAuthorization(Policies.Catalog)
        .WithMetadata(new OpenApi.FileResponse(
            "The file's bytes with the Content-Type stored at upload, a strong ETag (its sha256), Content-Digest and Content-Disposition " +
            "(RFC 6266 filename*); with ?format=parquet the Parquet rendition. Declared as application/octet-stream so that generated clients " +
            "return a stream; the Content-Type sent is the file's own. A GET or HEAD with If-None-Match naming the current ETag answers " +
            "304 Not Modified without a body (not declared as a response of its own: generators then type the operation as returning nothing).",
            ["application/octet-stream", "*/*", DataSpace.Parquet.ParquetWriter.MediaType], Partial: true))
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status410Gone)
        .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
        .ProducesProblem(StatusCodes.Status500InternalServerError)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>The services a download uses, bound together ([AsParameters]: each is still resolved from the container per request).</summary>
    internal sealed record Services(
        DatasetStore Datasets, VersionStore Versions, IBlobStore Blobs, UsageLedger Ledger, MeteringRepair Metering, ConsentGate Gate,
        AccessGate Access, AuditChain Audit, TimeProvider Clock, DomainMetrics Metrics, ILogger<UsageLedger> Logger);

    /// <summary>A file the caller may have: what is sent, and on what basis (owner, a right held, or a consent).</summary>
    private sealed record Target(DatasetRow Dataset, int Version, string Path, Sent File, string Basis, Guid? BasisId, AccessGate.Decision? Held)
    {
        public string What => $"file '{Path}' of dataset {Dataset.Id} version {Version}";
    }

    private static async Task<IResult> Download(string id, string n, HttpContext http, [AsParameters] Services s, CancellationToken ct, string? format = null)
    {
        var (target, refusal) = await TargetAsync(id, n, format, http, s, ct);
        if (target is null)
        {
            return refusal!;
        }

        var file = target.File;
        var etag = $"\"{Convert.ToHexStringLower(file.Sha256)}\"";
        var response = http.Response;
        response.Headers.ETag = etag;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = "private, no-cache";
        response.Headers.ContentDisposition = ContentDisposition(file.FileName);
        if (NoneMatch(http.Request, etag))
        {
            await AuditConsentReadAsync(target, "not_modified", http, s.Audit, ct);
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var range = ByteRange.From(http.Request, file.Size, etag);
        if (range.Unsatisfiable)
        {
            response.Headers.ContentRange = $"bytes */{file.Size}";
            return Problem.Of(StatusCodes.Status416RangeNotSatisfiable, ProblemCodes.RangeNotSatisfiable, "The range is outside the file",
                $"The file has {file.Size} bytes; ranges start at 0 and end at {Math.Max(0, file.Size - 1)}.");
        }

        response.StatusCode = range.IsPartial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        response.ContentType = file.ContentType;
        response.ContentLength = range.Length;
        if (range.IsPartial)
        {
            response.Headers.ContentRange = $"bytes {range.Start}-{range.End}/{file.Size}";
        }
        else
        {
            response.Headers["Content-Digest"] = $"sha-256=:{Convert.ToBase64String(file.Sha256)}:";
        }

        if (HttpMethods.IsHead(http.Request.Method))
        {
            await AuditConsentReadAsync(target, "headers_read", http, s.Audit, ct);
            return TypedResults.Empty;
        }

        return await SendAsync(target, range, http, s, ct);
    }

    /// <summary>
    /// The file the request names, if the caller may have it now: the format is known, the dataset visible, the caller's
    /// access holds (and the usage policy allows this use of this version), the file exists and its representation can
    /// be sent (a damaged original never is). Otherwise the problem to answer with.
    /// </summary>
    private static async Task<(Target? Target, IResult? Refusal)> TargetAsync(string id, string n, string? format, HttpContext http, Services s, CancellationToken ct)
    {
        if (format is not (null or "parquet"))
        {
            return (null, Problem.Of(StatusCodes.Status400BadRequest, ProblemCodes.UnsupportedFormat, "Unknown format",
                $"format may be omitted (the file as uploaded) or 'parquet'; got '{format}'."));
        }

        var (path, pathProblem) = FilePath.FromRawTarget(http.Features.Get<IHttpRequestFeature>()!.RawTarget, $"/versions/{n}/files/");
        if (path is null)
        {
            return (null, Problem.NotFound(ProblemCodes.FileNotFound, "File not found", pathProblem));
        }

        var dataset = Guid.TryParse(id, out var datasetId) ? await s.Datasets.FindAsync(datasetId, ct) : null;
        if (dataset is null)
        {
            return (null, Problem.NotFound(ProblemCodes.DatasetNotFound, "Dataset not found", $"No dataset with id '{id}' is visible to you."));
        }

        var (basis, basisId, held, refusal) = await AccessAsync(dataset, http, s.Gate, s.Access, ct);
        if (refusal is not null)
        {
            return (null, refusal);
        }

        var (version, versionProblem) = await VersionAccess.ResolveAsync(dataset, n, http, s.Versions, ct);
        if (version is null)
        {
            return (null, versionProblem!);
        }

        // The usage policy decides each use, every range of a download included; a HEAD or 304 sends no data but is
        // refused alike, so a client learns of a denial before it resumes.
        if (held is not null && await s.Access.UseAsync(held, dataset, http.User, version.Number, download: true, ct) is { } denial)
        {
            return (null, denial.Problem());
        }

        if (held is not null && AccessGate.AttributionOf(held, dataset, version.Number) is { } attribution)
        {
            http.Response.Headers[AccessGate.AttributionHeader] = attribution;
        }

        var row = await s.Versions.FileAsync(dataset.Id, version.Number, path, ct);
        if (row is null)
        {
            return (null, Problem.NotFound(ProblemCodes.FileNotFound, "File not found", $"Version {version.Number} has no file '{path}'."));
        }

        var (file, representationProblem) = Representation(row, format, http.Response);
        if (file is null)
        {
            return (null, representationProblem!);
        }

        var target = new Target(dataset, version.Number, path, file, basis, basisId, held);
        // The scrub or a verification read these bytes back and they are not what the manifest records: never serve them.
        return file.Kind == "original" && row.Damage is { } damage
            ? (null, StoredContent.Damaged(target.What, file.BlobKey, damage, s.Logger))
            : (target, null);
    }

    /// <summary>
    /// Sends the range of the stored content, metered: the usage event is started before the first byte and finished
    /// however the transfer ends (the client going away included); a complete download carries out the policy's duties.
    /// </summary>
    private static async Task<IResult> SendAsync(Target target, ByteRange range, HttpContext http, Services s, CancellationToken ct)
    {
        var (dataset, version, path, file) = (target.Dataset, target.Version, target.Path, target.File);
        var response = http.Response;
        // The manifest names content the store must have: missing or of another size is data loss, not the caller's mistake.
        var (source, lost) = await StoredContent.OpenAsync(s.Blobs, file.BlobKey, file.Size, range.Start, range.Length, target.What, s.Logger, ct);
        if (source is null)
        {
            response.Headers.Remove("Content-Digest");
            response.Headers.ContentRange = default;
            response.Headers.ETag = default;
            response.Headers.ContentDisposition = default;
            response.ContentLength = null;
            return lost!;
        }

        if (target.Basis != "owner")
        {
            // A read of another organisation's data: the owner can see it happened, and under what.
            await s.Audit.AppendAsync(new AuditEntry(AuditActor.From(http), dataset.OwnerId, "file", $"{dataset.Id}/{version}/{path}", "downloaded",
                target.Basis, target.BasisId?.ToString(), new { bytes = range.Length, range_start = range.IsPartial ? range.Start : (long?)null }), ct);
        }

        var started = s.Clock.GetUtcNow();
        var key = await s.Ledger.StartAsync(new DownloadStarted(
            http.User.OrganizationId(), http.User.ClientId(), dataset.Id, dataset.OwnerId, version, path,
            range.IsPartial ? range.Start : null, range.IsPartial ? range.End : null, range.Length, http.TraceIdentifier, started, file.Kind), ct);
        s.Metrics.DownloadStarted(file.Kind, range.IsPartial);
        long sent = 0;
        var cut = false;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            await using (source)
            {
                int read;
                while ((read = await source.ReadAsync(buffer, ct)) > 0)
                {
                    await response.Body.WriteAsync(buffer.AsMemory(0, read), ct);
                    sent += read;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away or the store failed mid-transfer: headers are gone, so cut the connection and let
            // the ledger say how far it got. Only the store's failure is ours to warn about.
            if (http.RequestAborted.IsCancellationRequested)
            {
                ClientDisconnects.Log(s.Logger, http, e);
            }
            else
            {
                LogTransferFailed(s.Logger, e, file.BlobKey, dataset.Id, sent);
            }

            cut = true;
            http.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (sent < range.Length && !cut)
            {
                // The store ended the content early although it reported the recorded size: the client must not take a
                // short body for the file.
                LogShortContent(s.Logger, file.BlobKey, dataset.Id, version, sent, range.Length);
                http.Abort();
            }

            s.Metrics.BytesServed(file.Kind, sent);
            await s.Metering.FinishAsync(key, sent, sent == range.Length, s.Clock.GetUtcNow());
        }

        // A complete download (the whole file, or the range that sends its last byte) carries out the policy's duties owed per use.
        if (target.Held is { } held && !cut && sent == range.Length && range.Start + range.Length == file.Size)
        {
            await s.Access.CompletedAsync(held, dataset, http.User, version, path, http.TraceIdentifier, AuditActor.From(http), CancellationToken.None);
        }

        return TypedResults.Empty;
    }

    /// <summary>A read under consent is the owner's to see even when no byte is sent (HEAD, 304): what was looked at, and when.</summary>
    private static async Task AuditConsentReadAsync(Target target, string action, HttpContext http, AuditChain audit, CancellationToken ct)
    {
        if (target.Basis == "consent")
        {
            await audit.AppendAsync(new AuditEntry(AuditActor.From(http), target.Dataset.OwnerId, "file", $"{target.Dataset.Id}/{target.Version}/{target.Path}",
                action, target.Basis, target.BasisId?.ToString()), ct);
        }
    }

    /// <summary>
    /// If-None-Match by the weak comparison RFC 9110 §13.1.2 prescribes: W/"x" matches the strong tag "x"; "*" matches
    /// any current representation.
    /// </summary>
    private static bool NoneMatch(HttpRequest request, string etag)
    {
        var current = new Microsoft.Net.Http.Headers.EntityTagHeaderValue(etag);
        return Microsoft.Net.Http.Headers.EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
            && tags.Any(t => t.Equals(Microsoft.Net.Http.Headers.EntityTagHeaderValue.Any) || t.Compare(current, useStrongComparison: false));
    }

    /// <summary>
    /// Who may read this dataset's files, and on what basis: the owner always; anyone else what <see cref="AccessGate"/>
    /// finds (open access, an entitlement, a grant or an approval — with the current terms accepted); the data bureau and
    /// authorities anything else (paid, unpublished, withdrawn) through the owner's consent for dataset_files; everyone else
    /// is refused with the reason (drafts stay invisible: 404). A held right comes back for its use to be checked once the
    /// version is known.
    /// </summary>
    private static async Task<(string Basis, Guid? BasisId, AccessGate.Decision? Held, IResult? Refusal)> AccessAsync(
        DatasetRow dataset, HttpContext http, ConsentGate gate, AccessGate access, CancellationToken ct)
    {
        if (dataset.IsOwnedBy(http.User.OrganizationId()))
        {
            return ("owner", null, null, null);
        }

        var held = await access.CheckAsync(dataset, http.User, ct);
        if (held.Basis is { } b)
        {
            return (b, held.BasisId, held, null);
        }

        if (held.Blocking)
        {
            return ("", null, null, held.Refusal);
        }

        if (ConsentGate.IsGrantee(http.User))
        {
            var decision = await gate.CheckAsync(http.User, dataset.OwnerId, ConsentCategories.DatasetFiles, dataset.Id, ct);
            if (decision.MostSpecific(dataset.Id) is { } consent)
            {
                return ("consent", consent.Id, null, null);
            }

            if (dataset.Status != DatasetStatuses.Draft)
            {
                return ("", null, null, held.Refusal ?? decision.Problem(ConsentCategories.DatasetFiles));
            }
        }

        return dataset.Status switch
        {
            DatasetStatuses.Draft => ("", null, null, held.Refusal ?? Problem.NotFound(ProblemCodes.DatasetNotFound, "Dataset not found", $"No dataset with id '{dataset.Id}' is visible to you.")),
            DatasetStatuses.Withdrawn => ("", null, null, Problem.Of(StatusCodes.Status410Gone, ProblemCodes.DatasetWithdrawn, "The dataset was withdrawn",
                $"{dataset.OwnerName} withdrew this dataset on {dataset.WithdrawnAt:yyyy-MM-dd}; its files are no longer offered.")),
            _ => ("", null, null, held.Refusal ?? Problem.Of(StatusCodes.Status403Forbidden, ProblemCodes.EntitlementRequired, "This dataset is paid",
                "Downloading a paid dataset's files needs an entitlement from a paid order or subscription.")),
        };
    }

    /// <summary>What a download sends: the file as uploaded, or its Parquet rendition (a blob of its own with its own hash).</summary>
    private sealed record Sent(string Kind, string BlobKey, long Size, byte[] Sha256, string ContentType, string FileName);

    private static (Sent? File, IResult? Problem) Representation(FileRow row, string? format, HttpResponse response)
    {
        var name = row.Path[(row.Path.LastIndexOf('/') + 1)..];
        if (format is null || row.Format == "parquet")
        {
            // A Parquet file is its own Parquet representation: the bytes sent are the original's.
            return (new Sent("original", row.BlobKey, row.Size, row.Sha256, format is null ? row.ContentType : ParquetWriter.MediaType, name), null);
        }

        if (row.RenditionStatus == RenditionStatuses.Done)
        {
            var stem = name.LastIndexOf('.') is var dot and > 0 ? name[..dot] : name;
            return (new Sent("parquet", row.RenditionKey!, row.RenditionSize!.Value, row.RenditionSha256!, ParquetWriter.MediaType, stem + ".parquet"), null);
        }

        if (row.ProfileStatus == ProfileStatuses.Pending || row.RenditionStatus == RenditionStatuses.Pending)
        {
            response.Headers.RetryAfter = "5";
            return (null, Problem.Conflict(ProblemCodes.RenditionPending, "The Parquet rendition is not ready yet",
                "The file is being profiled and converted in the background; retry after the Retry-After seconds."));
        }

        return (null, Problem.NotFound(ProblemCodes.RenditionUnavailable, "The file has no Parquet rendition",
            row.ProfileStatus is null ? "Files of draft versions get renditions once the version is committed." : row.RenditionReason ?? "No rendition could be made."));
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Blob {BlobKey} of dataset {DatasetId} version {Version} ended after {Sent} of {Expected} bytes")]
    private static partial void LogShortContent(ILogger logger, string blobKey, Guid datasetId, int version, long sent, long expected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading blob {BlobKey} of dataset {DatasetId} failed after {Sent} bytes; the download was cut")]
    private static partial void LogTransferFailed(ILogger logger, Exception exception, string blobKey, Guid datasetId, long sent);
}
