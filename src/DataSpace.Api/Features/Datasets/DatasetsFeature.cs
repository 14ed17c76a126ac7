namespace DataSpace.Api.Features.Datasets;

/// <summary>Datasets and their provenance, added and mapped in one place.</summary>
internal static class DatasetsFeature
{
    public static IServiceCollection AddDatasets(this IServiceCollection services)
    {
        services.AddSingleton<DatasetStore>();
        services.AddSingleton<DatasetAccess>();
        return services;
    }

    public static IEndpointRouteBuilder MapDatasets(this IEndpointRouteBuilder app)
    {
        app.MapDatasetEndpoints();
        return app;
    }
}
