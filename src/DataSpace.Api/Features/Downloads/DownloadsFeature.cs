namespace DataSpace.Api.Features.Downloads;

/// <summary>Metered file downloads and the repair of usage events a crash left open, added and mapped in one place.</summary>
internal static class DownloadsFeature
{
    public static IServiceCollection AddDownloads(this IServiceCollection services)
    {
        services.AddOptions<MeteringOptions>().BindConfiguration(MeteringOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MeteringRepair>();
        services.AddHostedService(sp => sp.GetRequiredService<MeteringRepair>());
        return services;
    }

    public static IEndpointRouteBuilder MapDownloads(this IEndpointRouteBuilder app)
    {
        app.MapDownloadEndpoints();
        return app;
    }
}
