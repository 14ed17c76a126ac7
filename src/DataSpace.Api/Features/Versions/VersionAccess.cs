using System.Globalization;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Versions;

namespace DataSpace.Api.Features.Versions;

/// <summary>
/// The one way every feature reads a dataset's versions and their manifests, once <see cref="DatasetAccess"/> has found the
/// dataset for the caller: a draft version is the owner's alone, as a draft dataset is.
/// </summary>
[FeatureService]
internal sealed class VersionAccess(VersionStore store)
{
    /// <summary>Resolves {n} ('latest' or a number) to a version the caller may see: drafts only for the owner.</summary>
    public Task<(VersionRow? Version, ProblemHttpResult? Problem)> ResolveAsync(DatasetRow dataset, string n, HttpContext http, CancellationToken ct) =>
        ResolveAsync(dataset, n, http, store, ct);

    /// <summary>The same, on the store itself: for the Versions feature and the download handler, which hold the store.</summary>
    internal static async Task<(VersionRow? Version, ProblemHttpResult? Problem)> ResolveAsync(
        DatasetRow dataset, string n, HttpContext http, VersionStore versions, CancellationToken ct)
    {
        int? number = null;
        if (n != "latest")
        {
            if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
            {
                return (null, Problem.NotFound(ProblemCodes.VersionNotFound, "Version not found", $"'{n}' is neither a version number nor 'latest'."));
            }

            number = parsed;
        }

        var version = await versions.FindAsync(dataset.Id, number, ct);
        if (version is null || (version.Status == VersionStatuses.Draft && !dataset.IsOwnedBy(http.User.OrganizationId())))
        {
            return (null, Problem.NotFound(ProblemCodes.VersionNotFound, "Version not found",
                n == "latest" ? "The dataset has no committed version yet." : $"Dataset {dataset.Id} has no version {n} visible to you."));
        }

        return (version, null);
    }

    /// <summary>Version <paramref name="number"/> of a dataset, or its latest committed one when null; no visibility check.</summary>
    public Task<VersionRow?> FindAsync(Guid datasetId, int? number, CancellationToken ct) => store.FindAsync(datasetId, number, ct);

    public Task<IReadOnlyList<FileRow>> FilesAsync(Guid datasetId, int number, CancellationToken ct) => store.FilesAsync(datasetId, number, ct);

    /// <summary>The manifests of many versions in one query (a feed page).</summary>
    public Task<IReadOnlyDictionary<Guid, IReadOnlyList<FileRow>>> FilesOfAsync(IReadOnlyList<(Guid DatasetId, int Number)> versions, CancellationToken ct) =>
        store.FilesOfAsync(versions, ct);
}
