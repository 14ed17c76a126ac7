namespace DataSpace.Api.Features.Interop;

/// <summary>Metadata for other systems: Croissant per version and the DCAT catalog feed.</summary>
internal static class InteropFeature
{
    public static IEndpointRouteBuilder MapInterop(this IEndpointRouteBuilder app)
    {
        app.MapCroissantEndpoints();
        app.MapDcatEndpoints();
        return app;
    }
}
