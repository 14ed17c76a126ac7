namespace DataSpace.Api.Features.Integrity;

/// <summary>Content verification of stored files and the background scrub, added and mapped in one place.</summary>
internal static class IntegrityFeature
{
    public static IServiceCollection AddIntegrity(this IServiceCollection services)
    {
        services.AddOptions<IntegrityOptions>().BindConfiguration(IntegrityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IntegrityStore>();
        services.AddSingleton<ContentVerifier>();
        services.AddSingleton<ContentScrub>();
        services.AddHostedService(sp => sp.GetRequiredService<ContentScrub>());
        return services;
    }

    public static IEndpointRouteBuilder MapIntegrity(this IEndpointRouteBuilder app)
    {
        app.MapIntegrityEndpoints();
        return app;
    }
}
