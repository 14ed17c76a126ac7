using DataSpace.Api.Auth;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Datasets;

namespace DataSpace.Api.Features.Datasets;

/// <summary>
/// The one way every feature finds a dataset for a caller: what the caller may see is decided in the SQL where (another
/// organisation's draft is 404, as if it did not exist); a visible dataset of someone else is 403 where the caller must own it.
/// </summary>
[FeatureService]
internal sealed class DatasetAccess(DatasetStore store)
{
    /// <summary>A dataset by id, whoever owns it and whatever its status: for callers that decide access themselves.</summary>
    public Task<DatasetRow?> FindAsync(Guid id, CancellationToken ct) => store.FindAsync(id, ct);

    /// <summary>Many datasets in one query (a feed page), in no particular order; ids that do not exist are left out.</summary>
    public Task<IReadOnlyList<DatasetRow>> FindManyAsync(Guid[] ids, CancellationToken ct) => store.FindManyAsync(ids, ct);

    /// <summary>Finds a dataset the caller may see; another organisation's draft is 404, as if it did not exist.</summary>
    public async Task<(DatasetRow? Row, ProblemHttpResult? Problem)> FindVisibleAsync(string id, HttpContext http, CancellationToken ct)
    {
        var row = Guid.TryParse(id, out var guid) ? await store.FindVisibleAsync(guid, http.User.OrganizationId(), ct) : null;
        return row is not null
            ? (row, null)
            : (null, Problem.NotFound(ProblemCodes.DatasetNotFound, "Dataset not found", $"No dataset with id '{id}' is visible to you."));
    }

    /// <summary>Finds a dataset the caller owns: 404 when invisible, 403 when visible but someone else's.</summary>
    public async Task<(DatasetRow? Row, ProblemHttpResult? Problem)> FindOwnedAsync(string id, HttpContext http, CancellationToken ct)
    {
        var (row, problem) = await FindVisibleAsync(id, http, ct);
        if (row is null)
        {
            return (null, problem);
        }

        return row.IsOwnedBy(http.User.OrganizationId())
            ? (row, null)
            : (null, Problem.Of(StatusCodes.Status403Forbidden, ProblemCodes.NotDatasetOwner, "Only the dataset's owner may do this",
                $"Dataset '{id}' belongs to {row.OwnerName}."));
    }

    /// <summary>The parent datasets a dataset's provenance lineage names.</summary>
    public static Guid[] ParentsOf(DatasetFields fields) =>
        [.. (fields.Provenance?.Lineage ?? []).Select(p => Guid.TryParse(p, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty)];
}
