namespace DataSpace.Api.Features.Maintenance;

/// <summary>The purge of rows that only matter for a while, once they stop mattering.</summary>
internal static class MaintenanceFeature
{
    public static IServiceCollection AddMaintenance(this IServiceCollection services)
    {
        services.AddOptions<PurgeOptions>().BindConfiguration(PurgeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ExpiredRowPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpiredRowPurge>());
        return services;
    }
}
