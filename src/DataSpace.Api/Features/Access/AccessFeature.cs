namespace DataSpace.Api.Features.Access;

/// <summary>Access policies, data grants, usage policies (ODRL) and holdings, added and mapped in one place.</summary>
internal static class AccessFeature
{
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddSingleton<AccessStore>();
        services.AddSingleton<AccessGate>();
        services.AddSingleton<Holdings>();
        return services;
    }

    public static IEndpointRouteBuilder MapAccess(this IEndpointRouteBuilder app)
    {
        app.MapAccessEndpoints();
        app.MapOdrlEndpoints();
        return app;
    }
}
