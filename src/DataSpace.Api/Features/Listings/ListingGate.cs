using DataSpace.Api.Features.Datasets;
using DataSpace.Contracts.Datasets;

namespace DataSpace.Api.Features.Listings;

/// <summary>Listing review options.</summary>
internal sealed class ListingOptions
{
    public const string Section = "Listings";

    /// <summary>
    /// Whether publishing a paid dataset, or one with personal information or important data, needs a verified listing
    /// (Listings__ReviewRequired, default true). Off only for test fixtures that exercise other features.
    /// </summary>
    public bool ReviewRequired { get; set; } = true;
}

/// <summary>The hook of the listing review into publishing: which datasets need a verified listing, and whether they have one.</summary>
[FeatureService]
internal sealed class ListingGate(ListingStore store, Microsoft.Extensions.Options.IOptions<ListingOptions> options, TimeProvider clock)
{
    /// <summary>无合规不上架: paid products, and any declaring personal information or important data.</summary>
    public static bool NeedsListing(DatasetRow dataset) =>
        dataset.Access == AccessModes.Paid || dataset.PersonalInformation != PersonalInformationKinds.None || dataset.SecurityLevel == SecurityLevels.Important;

    /// <summary>Whether <paramref name="dataset"/> may be published at <paramref name="version"/> as far as listing goes.</summary>
    public async Task<bool> MayPublishAsync(DatasetRow dataset, int version, CancellationToken ct) =>
        !options.Value.ReviewRequired || !NeedsListing(dataset) || await store.ListedAsync(dataset.Id, version, clock.GetUtcNow(), ct);
}
