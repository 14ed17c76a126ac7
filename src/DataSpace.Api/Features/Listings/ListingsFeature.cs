namespace DataSpace.Api.Features.Listings;

/// <summary>Listing reviews, assessments and exchange registrations, added and mapped in one place.</summary>
internal static class ListingsFeature
{
    public static IServiceCollection AddListings(this IServiceCollection services)
    {
        services.AddOptions<ListingOptions>().BindConfiguration(ListingOptions.Section);
        services.AddSingleton<ListingStore>();
        services.AddSingleton<ListingGate>();
        return services;
    }

    public static IEndpointRouteBuilder MapListings(this IEndpointRouteBuilder app)
    {
        app.MapAssessmentEndpoints();
        app.MapListingEndpoints();
        return app;
    }

    /// <summary>
    /// Mapped apart from <see cref="MapListings"/>, after the certificates: the committed OpenAPI document lists operations in
    /// mapping order, and these come after the certificate routes there.
    /// </summary>
    public static IEndpointRouteBuilder MapExchangeRegistrations(this IEndpointRouteBuilder app)
    {
        app.MapExchangeRegistrationEndpoints();
        return app;
    }
}
