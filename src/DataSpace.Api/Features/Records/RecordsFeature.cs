namespace DataSpace.Api.Features.Records;

/// <summary>Data-asset and DCMM records, their evidence files and subsidy policies, added and mapped in one place.</summary>
internal static class RecordsFeature
{
    public static IServiceCollection AddRecords(this IServiceCollection services)
    {
        services.AddSingleton<RecordStore>();
        services.AddOptions<RecordFileOptions>().BindConfiguration(RecordFileOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    public static IEndpointRouteBuilder MapRecords(this IEndpointRouteBuilder app)
    {
        app.MapRecordEndpoints();
        app.MapRecordPolicyEndpoints();
        return app;
    }
}
