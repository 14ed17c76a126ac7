namespace DataSpace.Api.Features.Versions;

/// <summary>Dataset versions and their files (streaming uploads, commits), added and mapped in one place.</summary>
internal static class VersionsFeature
{
    public static IServiceCollection AddVersions(this IServiceCollection services)
    {
        services.AddSingleton<VersionStore>();
        services.AddSingleton<VersionAccess>();
        services.AddOptions<DatasetFileOptions>().BindConfiguration(DatasetFileOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    public static IEndpointRouteBuilder MapVersions(this IEndpointRouteBuilder app)
    {
        app.MapVersionEndpoints();
        return app;
    }
}
