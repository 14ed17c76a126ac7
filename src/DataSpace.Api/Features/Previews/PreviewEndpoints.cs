using DataSpace.Api.Auth;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Versions;

namespace DataSpace.Api.Features.Previews;

/// <summary>The owner's preview policy of a dataset: what organisations that may not read its files yet see of its manifests.</summary>
internal static class PreviewEndpoints
{
    public static IEndpointRouteBuilder MapPreviewEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/datasets/{id}/preview-policy").WithTags("Datasets").RequireAuthorization(Policies.Catalog);
        group.MapGet("/", GetPolicy).WithName("GetPreviewPolicy")
            .WithSummary("What organisations that may not read the files yet see of the manifests: schema and counts always; value statistics and hashes as the owner allows")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/", SetPolicy).WithName("SetPreviewPolicy")
            .WithSummary("Set the preview policy (owner); audited")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<PreviewPolicy>, ProblemHttpResult>> GetPolicy(
        string id, HttpContext http, DatasetAccess datasets, PreviewStore previews, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        return dataset is null ? problem! : TypedResults.Ok((await previews.FindAsync(dataset.Id, ct)).ToContract());
    }

    private static async Task<Results<Ok<PreviewPolicy>, ProblemHttpResult>> SetPolicy(
        string id, SetPreviewPolicyRequest request, HttpContext http, DatasetAccess datasets, PreviewStore previews, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        if (request.Statistics is null)
        {
            v.Add("statistics", "is required: true or false");
        }

        if (request.Hashes is null)
        {
            v.Add("hashes", "is required: true or false");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var row = await previews.SetAsync(dataset.Id, dataset.OwnerId, request.Statistics!.Value, request.Hashes!.Value, clock.GetUtcNow(), Audit.AuditActor.From(http), ct);
        return TypedResults.Ok(row.ToContract());
    }
}
