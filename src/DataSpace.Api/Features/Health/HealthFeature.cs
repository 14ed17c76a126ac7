namespace DataSpace.Api.Features.Health;

/// <summary>Liveness and readiness probes.</summary>
internal static class HealthFeature
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthEndpoints();
        return app;
    }
}
