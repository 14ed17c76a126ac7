using System.Text.Json;
using System.Text.Json.Nodes;
using DataSpace.Api.Auth;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Datasets;

namespace DataSpace.Api.Features.Datasets;

internal static class DatasetEndpoints
{
    public static RouteGroupBuilder MapDatasetEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/datasets").WithTags("Datasets").RequireAuthorization(Policies.Catalog);

        group.MapPost("/", CreateDataset).WithName("CreateDataset")
            .WithSummary("Register a dataset with its provenance, as a draft (source units)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", GetDataset).WithName("GetDataset")
            .WithSummary("One dataset: published and withdrawn ones for everyone, drafts for their owner")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id}", UpdateDataset).WithName("UpdateDataset")
            .WithSummary("Change a dataset's description with a JSON merge patch (RFC 7386); a published dataset keeps its access mode (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{id}", DeleteDraft).WithName("DeleteDraftDataset")
            .WithSummary("Delete a draft that was never published, with its open versions, plans, terms and preview policy; nothing else changes (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/publish", Publish).WithName("PublishDataset")
            .WithSummary("Publish a draft that has a committed version (owner); a parent in its lineage whose usage policy your organisation accepted may " +
                "prohibit it (onward_transfer: any publication, resale: a paid one)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/withdraw", Withdraw).WithName("WithdrawDataset")
            .WithSummary("Withdraw a published dataset from the catalog; its records stay (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Results<Created<Dataset>, ProblemHttpResult>> CreateDataset(
        DatasetFields request, HttpContext http, DatasetStore store, TimeProvider clock, CancellationToken ct)
    {
        var caller = http.User.OrganizationId();
        var (normalized, problem) = await ValidateAsync(request, caller, store, ct);
        if (normalized is null)
        {
            return problem!;
        }

        var id = await store.CreateAsync(caller, normalized, clock.GetUtcNow(), Audit.AuditActor.From(http), ct);
        var row = await store.FindAsync(id, ct);
        return TypedResults.Created($"/v1/datasets/{id}", row!.ToContract());
    }

    private static async Task<Results<Ok<Dataset>, ProblemHttpResult>> GetDataset(string id, HttpContext http, DatasetAccess datasets, CancellationToken ct)
    {
        var (row, problem) = await datasets.FindVisibleAsync(id, http, ct);
        return row is null ? problem! : TypedResults.Ok(row.ToContract());
    }

    private static async Task<Results<Ok<Dataset>, ProblemHttpResult>> UpdateDataset(
        string id, JsonObject patch, HttpContext http, DatasetStore store, DatasetAccess datasets, Access.AccessGate access, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (row is null)
        {
            return problem!;
        }

        if (row.Status == DatasetStatuses.Withdrawn)
        {
            return Problem.Conflict(ProblemCodes.DatasetWithdrawn, "A withdrawn dataset cannot be changed", "Its record is kept as it was when withdrawn.");
        }

        var current = JsonSerializer.SerializeToNode(row.ToFields(), Json.Options);
        var merged = MergePatch.Apply(current, patch)!.Deserialize<DatasetFields>(Json.RequestOptions)!;
        if (row.Status == DatasetStatuses.Published && merged.Access != row.Access)
        {
            return Problem.Conflict(ProblemCodes.AccessModeFixed, "A published dataset keeps its access mode",
                $"This dataset was published as '{row.Access}'; consumers rely on that. Withdraw it and register a new dataset instead.");
        }

        var (normalized, validation) = await ValidateAsync(merged, http.User.OrganizationId(), store, ct, row.Id);
        if (normalized is null)
        {
            return validation!;
        }

        // A published dataset that gains a parent passes that parent's data on from now: its usage policy must allow it.
        if (row.Status == DatasetStatuses.Published && await access.PassOnAsync(row.OwnerId, normalized.Lineage.Except(DatasetAccess.ParentsOf(row.ToFields())).ToArray(), row.Access, ct) is { } prohibited)
        {
            return prohibited;
        }

        if (!await store.UpdateAsync(row.Id, row.OwnerId, normalized, clock.GetUtcNow(), Audit.AuditActor.From(http), ct))
        {
            return Problem.Conflict(ProblemCodes.DatasetStateConflict, "The dataset changed state meanwhile", "Read it again and retry.");
        }

        return TypedResults.Ok((await store.FindAsync(row.Id, ct))!.ToContract());
    }

    private static async Task<Results<Ok<Dataset>, ProblemHttpResult>> Publish(
        string id, HttpContext http, DatasetStore store, DatasetAccess datasets, Listings.ListingGate listings, Access.AccessGate access, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (row is null)
        {
            return problem!;
        }

        if (row.Status != DatasetStatuses.Draft)
        {
            return Problem.Conflict(ProblemCodes.DatasetStateConflict, $"The dataset is {row.Status}", "Only a draft can be published.");
        }

        if (row.LatestVersion is null)
        {
            return Problem.Conflict(ProblemCodes.NoCommittedVersion, "The dataset has no committed version",
                "Open a version, upload its files and commit it before publishing: consumers must find something to download.");
        }

        if (!await listings.MayPublishAsync(row, row.LatestVersion.Value, ct))
        {
            return Problem.Conflict(ProblemCodes.ListingReviewRequired, "A listing review is required",
                $"A paid dataset, or one with personal information or important data, is published only with a verified listing of its latest version ({row.LatestVersion}): " +
                "invite assessors, apply (POST /v1/datasets/{id}/listings) and have the operator or the bureau verify it.");
        }

        if (await access.PassOnAsync(row.OwnerId, DatasetAccess.ParentsOf(row.ToFields()), row.Access, ct) is { } prohibited)
        {
            return prohibited;
        }

        return await store.TransitionAsync(row.Id, row.OwnerId, DatasetStatuses.Draft, DatasetStatuses.Published, clock.GetUtcNow(), Audit.AuditActor.From(http), ct)
            ? TypedResults.Ok((await store.FindAsync(row.Id, ct))!.ToContract())
            : Problem.Conflict(ProblemCodes.DatasetStateConflict, "The dataset changed state meanwhile", "Read it again.");
    }

    private static async Task<Results<Ok<Dataset>, ProblemHttpResult>> Withdraw(string id, HttpContext http, DatasetStore store, DatasetAccess datasets, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (row is null)
        {
            return problem!;
        }

        return row.Status == DatasetStatuses.Published && await store.TransitionAsync(row.Id, row.OwnerId, DatasetStatuses.Published, DatasetStatuses.Withdrawn, clock.GetUtcNow(), Audit.AuditActor.From(http), ct)
            ? TypedResults.Ok((await store.FindAsync(row.Id, ct))!.ToContract())
            : Problem.Conflict(ProblemCodes.DatasetStateConflict, $"The dataset is {row.Status}", "Only a published dataset can be withdrawn.");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteDraft(string id, HttpContext http, DatasetStore store, DatasetAccess datasets, CancellationToken ct)
    {
        var (row, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (row is null)
        {
            return problem!;
        }

        return await store.DeleteDraftAsync(row.Id, row.OwnerId, Audit.AuditActor.From(http), ct) switch
        {
            DatasetStore.DeleteOutcome.Deleted => TypedResults.NoContent(),
            DatasetStore.DeleteOutcome.NotDraft => Problem.Conflict(ProblemCodes.DatasetStateConflict, "Only a draft can be deleted",
                "A published or withdrawn dataset's record is kept: consumers, orders and the audit chain refer to it. Withdraw it instead."),
            DatasetStore.DeleteOutcome.HasCommittedVersion => Problem.Conflict(ProblemCodes.DatasetHasCommittedVersion, "The draft has a committed version",
                "Committed versions are immutable, so a draft with one cannot be deleted; publish it, or keep it as a draft."),
            _ => Problem.Conflict(ProblemCodes.DatasetInUse, "Another record refers to this draft",
                "Another dataset names it in its lineage (provenance.lineage), or a reward run counted it; nothing was deleted."),
        };
    }

    private static async Task<(DatasetRules.Normalized? Normalized, ProblemHttpResult? Problem)> ValidateAsync(
        DatasetFields fields, Guid caller, DatasetStore store, CancellationToken ct, Guid? self = null)
    {
        if (fields.SecurityLevel == "core")
        {
            return (null, Problem.Of(StatusCodes.Status400BadRequest, ProblemCodes.CoreDataRefused, "Core data cannot be listed",
                "核心数据 (core data, Data Security Law Art. 21) is under the strictest state management and may not be offered on the platform. " +
                "If the data is not core data, declare security_level general or important.",
                new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["security_level"] = ["core data is refused"] } }));
        }

        var v = new Validation();
        var normalized = DatasetRules.Validate(fields, v);
        if (normalized is not null)
        {
            if (self is { } me && normalized.Lineage.Contains(me))
            {
                v.Add("provenance.lineage", "a dataset cannot be its own parent");
            }

            foreach (var missing in await store.InvisibleAsync(normalized.Lineage, caller, ct))
            {
                v.Add("provenance.lineage", $"dataset '{missing}' does not exist or is not visible to you");
            }
        }

        return v.IsValid ? (normalized, null) : (null, v.ToProblem());
    }
}
