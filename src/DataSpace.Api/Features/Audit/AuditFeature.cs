using System.Reflection;

namespace DataSpace.Api.Features.Audit;

/// <summary>The audit chain, its signed checkpoints and the endpoints that read and verify it, added and mapped in one place.</summary>
internal static class AuditFeature
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditChain>();
        services.AddOptions<CheckpointOptions>().BindConfiguration(CheckpointOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CheckpointSigner>();
        services.AddSingleton<AuditCheckpoints>();
        // Loads the signing key at start, so a missing key stops the API at once; the build-time OpenAPI generator has none.
        if (Assembly.GetEntryAssembly()?.GetName().Name != "GetDocument.Insider")
        {
            services.AddHostedService<CheckpointService>();
        }

        return services;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapAuditEndpoints();
        return app;
    }
}
