namespace DataSpace.Api.Features.Catalog;

/// <summary>The public catalog search, added and mapped in one place.</summary>
internal static class CatalogFeature
{
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSingleton<CatalogStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        app.MapCatalogEndpoints();
        return app;
    }
}
