using System.Collections.Concurrent;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Versions;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Versions;

namespace DataSpace.Api.Features.Integrity;

/// <summary>An owner reads a version's stored bytes back and learns, file by file, whether they are still what the manifest says.</summary>
internal static class IntegrityEndpoints
{
    /// <summary>Organisations with a verification running on this instance: one at a time each, since each reads whole versions.</summary>
    private static readonly ConcurrentDictionary<Guid, byte> Running = new();

    public static IEndpointRouteBuilder MapIntegrityEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/datasets/{id}/versions/{n}/verification", VerifyVersion).WithName("VerifyVersion").WithTags("Versions")
            .WithSummary("Read every file of a version back from the blob store and hash it against the manifest (owner); damage found is recorded, audited and refused to downloads")
            .WithDescription("Reads the whole version, so it takes as long as a full download of it; one verification per organisation at a time. " +
                "The background scrub does the same for all content on a schedule (setting Integrity:ReverifyAfterDays). " +
                "A damaged file is restored by uploading the same content again to a draft version.")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<VersionVerification>, ProblemHttpResult>> VerifyVersion(
        string id, string n, HttpContext http, DatasetAccess datasets, VersionAccess versions, ContentVerifier verifier, TimeProvider clock, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var (version, versionProblem) = await versions.ResolveAsync(dataset, n, http, ct);
        if (version is null)
        {
            return versionProblem!;
        }

        if (!Running.TryAdd(dataset.OwnerId, 0))
        {
            http.Response.Headers.RetryAfter = "10";
            return Problem.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.VerificationInProgress, "A verification is already running",
                "Your organisation is already verifying a version on this server; retry when it has finished.");
        }

        try
        {
            var actor = Audit.AuditActor.From(http);
            var files = new List<FileVerification>();
            foreach (var file in await versions.FilesAsync(dataset.Id, version.Number, ct))
            {
                var status = await verifier.VerifyAsync(new IntegrityStore.DueBlob(file.Sha256, file.BlobKey, file.Size), actor, ct);
                files.Add(new FileVerification(file.Path, status, file.Size, Convert.ToHexStringLower(file.Sha256)));
            }

            return TypedResults.Ok(new VersionVerification
            {
                DatasetId = dataset.Id.ToString(),
                Number = version.Number,
                VerifiedAt = clock.GetUtcNow(),
                Intact = files.TrueForAll(f => f.Status == FileConditions.Intact),
                Files = files,
            });
        }
        finally
        {
            Running.TryRemove(dataset.OwnerId, out _);
        }
    }
}
