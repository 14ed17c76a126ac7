namespace DataSpace.Api.Tests.Features.Listings;

/// <summary>
/// The API with the listing review in force, as in production (the shared fixture turns it off so that tests of orders,
/// downloads and rewards can publish paid datasets in one step).
/// </summary>
public sealed class ListingApiFactory : IAsyncLifetime
{
    public DataSpaceApiFactory Api { get; } = new DataSpaceApiFactory().WithSetting("Listings:ReviewRequired", "true");

    public ValueTask InitializeAsync() => Api.InitializeAsync();

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}
