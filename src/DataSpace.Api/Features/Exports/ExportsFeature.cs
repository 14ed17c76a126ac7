namespace DataSpace.Api.Features.Exports;

/// <summary>The clerk's exports (CSV and XLSX) of records and subsidies.</summary>
internal static class ExportsFeature
{
    public static IEndpointRouteBuilder MapExports(this IEndpointRouteBuilder app)
    {
        app.MapExportEndpoints();
        return app;
    }
}
