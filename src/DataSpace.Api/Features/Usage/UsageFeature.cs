using DataSpace.Usage.Metering;

namespace DataSpace.Api.Features.Usage;

/// <summary>The usage ledger (metering), its monthly partitions and the usage reports, added and mapped in one place.</summary>
internal static class UsageFeature
{
    public static IServiceCollection AddUsage(this IServiceCollection services)
    {
        services.AddSingleton<UsageLedger>();
        services.AddSingleton<UsageReports>();
        services.AddSingleton<UsagePartitions>();
        services.AddHostedService<UsagePartitionMaintenance>();
        return services;
    }

    public static IEndpointRouteBuilder MapUsage(this IEndpointRouteBuilder app)
    {
        app.MapUsageEndpoints();
        return app;
    }
}
