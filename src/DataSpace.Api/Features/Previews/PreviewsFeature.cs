namespace DataSpace.Api.Features.Previews;

/// <summary>Preview policies and the manifest views they give, added and mapped in one place.</summary>
internal static class PreviewsFeature
{
    public static IServiceCollection AddPreviews(this IServiceCollection services)
    {
        services.AddSingleton<PreviewStore>();
        services.AddSingleton<ManifestAccess>();
        return services;
    }

    public static IEndpointRouteBuilder MapPreviews(this IEndpointRouteBuilder app)
    {
        app.MapPreviewEndpoints();
        return app;
    }
}
