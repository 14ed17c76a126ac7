namespace DataSpace.Api.Features.Terms;

/// <summary>Data use agreements and their acceptance, added and mapped in one place.</summary>
internal static class TermsFeature
{
    public static IServiceCollection AddTerms(this IServiceCollection services)
    {
        services.AddSingleton<TermsStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapTerms(this IEndpointRouteBuilder app)
    {
        app.MapTermsEndpoints();
        return app;
    }
}
