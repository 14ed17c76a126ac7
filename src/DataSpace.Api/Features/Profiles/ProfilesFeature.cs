namespace DataSpace.Api.Features.Profiles;

/// <summary>Background profiling of committed files and their Parquet renditions.</summary>
internal static class ProfilesFeature
{
    public static IServiceCollection AddProfiles(this IServiceCollection services)
    {
        services.AddOptions<ProfilingOptions>().BindConfiguration(ProfilingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ProfileStore>();
        services.AddSingleton<ProfileSignal>();
        services.AddHostedService<ProfileWorker>();
        return services;
    }
}
