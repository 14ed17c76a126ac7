namespace DataSpace.Api.Features.Consents;

/// <summary>Consents (Art. 11), consent requests and the consent gate, added and mapped in one place.</summary>
internal static class ConsentsFeature
{
    public static IServiceCollection AddConsents(this IServiceCollection services)
    {
        services.AddSingleton<ConsentStore>();
        services.AddSingleton<ConsentRequestStore>();
        services.AddSingleton<ConsentGate>();
        services.AddOptions<ConsentOptions>().BindConfiguration(ConsentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    public static IEndpointRouteBuilder MapConsents(this IEndpointRouteBuilder app)
    {
        app.MapConsentEndpoints();
        app.MapConsentRequestEndpoints();
        return app;
    }
}
